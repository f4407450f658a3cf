#include "dump.h"

#include "session/shortest_decimal.h"

#include <attn/error.h>
#include <attn/npy.h>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <string>

namespace {

QJsonArray tokensJson(const std::vector<attn::Token>& tokens)
{
    QJsonArray array;
    for (const attn::Token& token : tokens)
        array.append(QJsonObject{{QStringLiteral("text"), QString::fromStdString(token.text)},
                                 {QStringLiteral("begin"), qint64(token.begin)},
                                 {QStringLiteral("end"), qint64(token.end)}});
    return array;
}

// The layer's settings; the seed where it made the weights or the embeddings (given both,
// it made nothing); whether any map adds a bias, and which of the four do.
QJsonObject configJson(const attn::Trace& trace, bool seedUsed)
{
    const attn::Config& c = trace.config;
    const attn::BiasPresence& b = trace.biases;
    return {{QStringLiteral("d_model"), c.d_model},
            {QStringLiteral("heads"), c.heads},
            {QStringLiteral("d_k"), c.d_k},
            {QStringLiteral("d_v"), c.valueDim()},
            {QStringLiteral("causal"), c.causal},
            {QStringLiteral("scale"), QString::fromStdString(attn::toString(c.scaling))},
            {QStringLiteral("temperature"), shortestDecimal(c.temperature)},
            {QStringLiteral("seed"), seedUsed ? QJsonValue(QString::number(c.seed)) : QJsonValue()},
            {QStringLiteral("positional"), QString::fromStdString(attn::toString(c.positional))},
            {QStringLiteral("bias"), b.q || b.k || b.v || b.o},
            {QStringLiteral("biases"), QJsonObject{{QStringLiteral("q"), b.q},
                                                   {QStringLiteral("k"), b.k},
                                                   {QStringLiteral("v"), b.v},
                                                   {QStringLiteral("o"), b.o}}}};
}

// Every name a dump writes, of this layer's trace or of a model's; the manifest first, as
// it goes first when an earlier dump is removed.
const QStringList dumpFileNames = {u"manifest.json"_qs, u"inputs.npy"_qs,  u"source_inputs.npy"_qs, u"q.npy"_qs,
                                   u"k.npy"_qs,         u"v.npy"_qs,       u"scores.npy"_qs,        u"weights.npy"_qs,
                                   u"heads.npy"_qs,     u"output.npy"_qs,  u"hidden.npy"_qs};

// What a file manager or a system puts in any folder it shows: no file of the user's.
bool isSystemFile(const QString& name)
{
    return name.startsWith(u'.') || name == u"Thumbs.db" || name == u"desktop.ini";
}

// The folder, made if missing, without the files of an earlier dump (the manifest first:
// it is written last, so that a dump cut short leaves none that describes other files).
void makeDumpFolder(const QString& dir)
{
    refuseDumpFolder(dir);
    if (!QDir().mkpath(dir))
        throw attn::Error("cannot create the dump folder " + dir.toStdString() + "; check that its parent is writable.");
    const QDir folder(dir);
    for (const QString& name : dumpFileNames) {
        QFile earlier(folder.filePath(name));
        if (QFileInfo(earlier).isFile() && !earlier.remove())
            throw attn::Error("cannot replace " + earlier.fileName().toStdString() + ": "
                              + earlier.errorString().toStdString() + ".");
    }
}

// A file the numbers came from, as an absolute path; null where there was none.
QJsonValue sourceJson(const QString& path)
{
    return path.isEmpty() ? QJsonValue() : QJsonValue(QFileInfo(path).absoluteFilePath());
}

QString programText()
{
    return QCoreApplication::applicationName() + u' ' + QCoreApplication::applicationVersion();
}

QJsonArray shapeJson(const attn::Tensor& t)
{
    QJsonArray shape;
    for (std::size_t d : t.shape)
        shape.append(qint64(d));
    return shape;
}

} // namespace

void refuseDumpFolder(const QString& dir)
{
    const QFileInfo info(dir);
    if (info.exists() && !info.isDir())
        throw attn::Error("the dump folder " + dir.toStdString()
                          + " is a file; give the path of a folder (it is created if missing).");
    QStringList present = QDir(dir).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
    present.removeIf(isSystemFile);
    const std::string advice = "; dump into an empty or new folder, so that no file of yours is written over or mixed "
                               "with the dump's.";
    // A finished dump has its manifest (written last); without it, even a q.npy may be yours.
    if (!present.isEmpty() && !present.contains(u"manifest.json"_qs))
        throw attn::Error("the dump folder " + dir.toStdString() + " holds " + present.constFirst().toStdString()
                          + " and no manifest.json, so it is no finished dump" + advice);
    for (const QString& name : present)
        if (!dumpFileNames.contains(name))
            throw attn::Error("the dump folder " + dir.toStdString() + " holds " + name.toStdString()
                              + ", which is no file of a dump" + advice);
}

void refuseDumpOverInputs(const QString& dir, const QStringList& read)
{
    // Compared as the files they are, links followed.
    QStringList written;
    for (const QString& name : dumpFileNames)
        if (const QString target = QFileInfo(QDir(dir).filePath(name)).canonicalFilePath(); !target.isEmpty())
            written << target;
    for (const QString& path : read)
        if (written.contains(QFileInfo(path).canonicalFilePath()))
            throw attn::Error("the dump into " + dir.toStdString() + " would write over " + path.toStdString()
                              + ", which this command reads; dump into another folder.");
}

void writeDump(const attn::Trace& trace, const attn::Request& request, const DumpSources& sources, const QString& dir)
{
    makeDumpFolder(dir);
    const QDir out(dir);

    const std::pair<const char*, const attn::Tensor*> tensors[] = {
        {"inputs", &trace.x},   {"q", &trace.q},         {"k", &trace.k},         {"v", &trace.v},
        {"scores", &trace.scores}, {"weights", &trace.weights}, {"heads", &trace.heads}, {"output", &trace.output},
    };
    QJsonObject files;
    for (const auto& [name, tensor] : tensors) {
        const QString file = QString::fromLatin1(name) + u".npy"_qs;
        attn::writeNpy(out.filePath(file).toStdString(), *tensor);
        files.insert(file, shapeJson(*tensor));
    }
    if (trace.isCross()) {
        attn::writeNpy(out.filePath(QStringLiteral("source_inputs.npy")).toStdString(), trace.xSource);
        files.insert(QStringLiteral("source_inputs.npy"), shapeJson(trace.xSource));
    }

    const bool seedUsed = !request.weights || !request.inputs || (trace.isCross() && !request.sourceInputs);
    QJsonObject manifest{
        {QStringLiteral("program"), programText()},
        {QStringLiteral("text"), QString::fromStdString(request.text)},
        {QStringLiteral("tokens"), tokensJson(trace.tokens)},
        {QStringLiteral("config"), configJson(trace, seedUsed)},
        {QStringLiteral("weights_file"), sourceJson(sources.weightsFile)},
        {QStringLiteral("inputs_file"), sourceJson(sources.inputsFile)},
        {QStringLiteral("backend"), QString::fromStdString(trace.backend)},
        {QStringLiteral("fallback_reason"), QString::fromStdString(trace.fallbackReason)},
        {QStringLiteral("timings_ms"), QJsonObject{{QStringLiteral("wall"), trace.wallMs},
                                                   {QStringLiteral("gpu"), trace.gpuMs < 0 ? QJsonValue() : QJsonValue(trace.gpuMs)}}},
        {QStringLiteral("files"), files},
    };
    if (trace.isCross()) {
        manifest.insert(QStringLiteral("source_text"), QString::fromStdString(request.sourceText.value_or(std::string())));
        manifest.insert(QStringLiteral("source_tokens"), tokensJson(trace.sourceTokens));
    }

    QFile file(out.filePath(QStringLiteral("manifest.json")));
    const QByteArray json = QJsonDocument(manifest).toJson();
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(json) != json.size() || !file.flush())
        throw attn::Error("cannot write " + file.fileName().toStdString() + ": " + file.errorString().toStdString() + ".");
}

namespace {

// The layers' [h x n x n] weights stacked into one [layers x h x n x n] tensor.
attn::Tensor stackedWeights(const attn::ModelTrace& trace)
{
    const std::size_t layers = trace.layers.size();
    const std::size_t h = std::size_t(trace.config.heads), n = trace.tokenCount();
    attn::Tensor all({layers, h, n, n});
    const std::size_t slice = h * n * n;
    for (std::size_t l = 0; l < layers; ++l) {
        const attn::Tensor& w = trace.layers[l].weights;
        if (w.size() != slice)
            throw attn::Error("layer " + std::to_string(l + 1) + "'s weights are " + w.shapeText()
                              + ", not [heads x n x n]; cannot dump them.");
        std::copy(w.data.begin(), w.data.end(), all.data.begin() + std::ptrdiff_t(l * slice));
    }
    return all;
}

QJsonObject modelConfigJson(const attn::ModelConfig& c)
{
    return {{QStringLiteral("architecture"), QString::fromStdString(attn::toString(c.architecture))},
            {QStringLiteral("model_type"), QString::fromStdString(c.modelType)},
            {QStringLiteral("layers"), c.layers},
            {QStringLiteral("heads"), c.heads},
            {QStringLiteral("d_model"), c.d_model},
            {QStringLiteral("d_k"), c.d_k()},
            {QStringLiteral("d_ff"), c.d_ff},
            {QStringLiteral("vocab_size"), c.vocabSize},
            {QStringLiteral("max_positions"), c.maxPositions},
            {QStringLiteral("causal"), c.causal()}};
}

} // namespace

void writeModelDump(const attn::ModelTrace& trace, const QString& text, const QString& modelFolder, const QString& dir)
{
    makeDumpFolder(dir);
    const QDir out(dir);

    const attn::Tensor weights = stackedWeights(trace);
    QJsonObject files;
    const std::pair<const char*, const attn::Tensor*> tensors[] = {{"weights", &weights}, {"hidden", &trace.hidden}};
    for (const auto& [name, tensor] : tensors) {
        const QString file = QString::fromLatin1(name) + u".npy"_qs;
        attn::writeNpy(out.filePath(file).toStdString(), *tensor);
        files.insert(file, shapeJson(*tensor));
    }

    QJsonArray tokens = tokensJson(trace.tokens);
    for (qsizetype i = 0; i < tokens.size() && std::size_t(i) < trace.tokenIds.size(); ++i) {
        QJsonObject token = tokens[i].toObject();
        token.insert(QStringLiteral("id"), trace.tokenIds[std::size_t(i)]);
        tokens[i] = token;
    }
    QJsonArray next;
    for (const attn::TokenPrediction& p : trace.nextToken)
        next.append(QJsonObject{{QStringLiteral("id"), p.id},
                                {QStringLiteral("text"), QString::fromStdString(p.text)},
                                {QStringLiteral("probability"), p.probability}});

    QJsonObject manifest{
        {QStringLiteral("program"), programText()},
        {QStringLiteral("model"), QString::fromStdString(trace.modelName)},
        {QStringLiteral("model_folder"), sourceJson(modelFolder)},
        {QStringLiteral("config"), modelConfigJson(trace.config)},
        {QStringLiteral("text"), text},
        {QStringLiteral("tokens"), tokens},
        {QStringLiteral("backend"), QString::fromStdString(trace.backend)},
        {QStringLiteral("fallback_reason"), QString::fromStdString(trace.fallbackReason)},
        {QStringLiteral("timings_ms"), QJsonObject{{QStringLiteral("wall"), trace.wallMs}}},
        {QStringLiteral("files"), files},
    };
    if (trace.config.hasLanguageModelHead())
        manifest.insert(QStringLiteral("next_token"), next);

    QFile file(out.filePath(QStringLiteral("manifest.json")));
    const QByteArray json = QJsonDocument(manifest).toJson();
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(json) != json.size() || !file.flush())
        throw attn::Error("cannot write " + file.fileName().toStdString() + ": " + file.errorString().toStdString() + ".");
}
