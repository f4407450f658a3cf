#include "dump.h"

#include "export/figure_export.h"

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
#include <QTemporaryDir>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

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
QJsonObject configJson(const attn::Trace& trace)
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
            // A number, as in a session file (at most 2147483647: exact in JSON's doubles).
            {QStringLiteral("seed"), trace.seedUsed ? QJsonValue(qint64(c.seed)) : QJsonValue()},
            {QStringLiteral("positional"), QString::fromStdString(attn::toString(c.positional))},
            {QStringLiteral("bias"), b.q || b.k || b.v || b.o},
            {QStringLiteral("biases"), QJsonObject{{QStringLiteral("q"), b.q},
                                                   {QStringLiteral("k"), b.k},
                                                   {QStringLiteral("v"), b.v},
                                                   {QStringLiteral("o"), b.o}}}};
}

// Every name a dump writes, of this layer's trace or of a model's; the manifest first, as
// it goes first when an earlier dump is removed (and last when a new one is moved in).
const QStringList dumpFileNames = {u"manifest.json"_qs, u"inputs.npy"_qs,  u"source_inputs.npy"_qs, u"q.npy"_qs,
                                   u"k.npy"_qs,         u"v.npy"_qs,       u"scores.npy"_qs,        u"weights.npy"_qs,
                                   u"heads.npy"_qs,     u"output.npy"_qs,  u"hidden.npy"_qs};

// What a file manager or a system puts in any folder it shows: no file of the user's.
bool isSystemFile(const QString& name)
{
    return name.startsWith(u'.') || name == u"Thumbs.db" || name == u"desktop.ini";
}

// A file the numbers came from, as an absolute path; null where there was none.
QJsonValue sourceJson(const QString& path)
{
    return path.isEmpty() ? QJsonValue() : QJsonValue(QFileInfo(path).absoluteFilePath());
}

// "attention-explorer ": what every manifest's "program" begins with.
QString programPrefix()
{
    return QCoreApplication::applicationName() + u' ';
}

QString programText()
{
    return programPrefix() + QCoreApplication::applicationVersion();
}

QJsonArray shapeJson(const attn::Tensor& t)
{
    QJsonArray shape;
    for (std::size_t d : t.shape)
        shape.append(qint64(d));
    return shape;
}

// A dump's tensors by file name.
using DumpTensors = std::vector<std::pair<QString, const attn::Tensor*>>;

// The tensors and the manifest, their shapes added under "files", written into `staged`.
void writeStaged(const QDir& staged, const DumpTensors& tensors, QJsonObject manifest)
{
    QJsonObject files;
    for (const auto& [name, tensor] : tensors) {
        attn::writeNpy(staged.filePath(name).toStdString(), *tensor);
        files.insert(name, shapeJson(*tensor));
    }
    manifest.insert(QStringLiteral("files"), files);
    QFile file(staged.filePath(QStringLiteral("manifest.json")));
    const QByteArray json = QJsonDocument(manifest).toJson();
    if (!file.open(QIODevice::WriteOnly) || file.write(json) != json.size() || !file.flush())
        throw attn::Error("cannot write " + file.fileName().toStdString() + ": " + file.errorString().toStdString() + ".");
}

// The earlier dump's files in `out` replaced by the staged ones: renames on one file system,
// which need no room. The earlier manifest goes first and the new one comes last, so that no
// manifest ever sits beside files it does not describe.
void replaceDumpFiles(const QDir& staged, const QDir& out)
{
    const std::string advice = "; dump into a new folder, or delete this one's files and dump again.";
    for (const QString& name : dumpFileNames) {
        QFile earlier(out.filePath(name));
        if (earlier.exists() && !earlier.remove())
            throw attn::Error("cannot replace " + earlier.fileName().toStdString() + ": "
                              + earlier.errorString().toStdString() + advice);
    }
    for (auto name = dumpFileNames.crbegin(); name != dumpFileNames.crend(); ++name)
        if (QFile file(staged.filePath(*name)); file.exists() && !file.rename(out.filePath(*name)))
            throw attn::Error("cannot move the new " + name->toStdString() + " into " + out.path().toStdString() + ": "
                              + file.errorString().toStdString() + advice);
}

// Writes the dump into a hidden folder inside dir first (on dir's file system, and ignored by
// refuseDumpFolder), and replaces the earlier dump's files only once all of it is written: a
// full disk or any other failure leaves the earlier dump whole and no file of the new one.
void writeDumpFiles(const QString& dir, const DumpTensors& tensors, const QJsonObject& manifest)
{
    refuseDumpFolder(dir);
    const bool madeFolder = !QFileInfo::exists(dir);
    const bool hadDump = QFileInfo::exists(QDir(dir).filePath(QStringLiteral("manifest.json")));
    if (!QDir().mkpath(dir))
        throw attn::Error("cannot create the dump folder " + dir.toStdString() + "; check that its parent is writable.");
    // A run killed while it wrote (Ctrl+C, out of memory) left its staging folder behind,
    // hidden; it is ours, and may hold gigabytes.
    const QString staged = u".attention-explorer-dump-"_qs;
    for (const QString& left : QDir(dir).entryList({staged + u'*'}, QDir::Dirs | QDir::Hidden))
        QDir(QDir(dir).filePath(left)).removeRecursively();
    QTemporaryDir staging(QDir(dir).filePath(staged + u"XXXXXX"_qs));
    try {
        if (!staging.isValid())
            throw attn::Error("cannot write into the dump folder " + dir.toStdString() + ": "
                              + staging.errorString().toStdString() + "; check that it is writable.");
        writeStaged(QDir(staging.path()), tensors, manifest);
    } catch (const attn::Error& error) {
        // Each file named as what it was to become: the staging folder is gone when this is read.
        QString message = QString::fromUtf8(error.what());
        if (staging.isValid())
            message.replace(staging.path(), dir);
        staging.remove();
        if (madeFolder)
            QDir().rmdir(dir);
        throw attn::Error(message.toStdString()
                          + (hadDump ? " The earlier dump in " + dir.toStdString() + " is unchanged."
                                     : " No file of the dump was left in " + dir.toStdString() + "."));
    }
    replaceDumpFiles(QDir(staging.path()), QDir(dir));
}

// Whether `path` is a manifest this program wrote: a JSON object whose "program" names it.
// A web app's manifest.json is not, and the files beside it are not a dump's.
bool isOurManifest(const QString& path)
{
    constexpr qint64 largestManifest = 256 << 20; // 20,000 tokens with their spans take about 2 MB
    QFile file(path);
    if (file.size() > largestManifest || !file.open(QIODevice::ReadOnly))
        return false;
    const QJsonValue program = QJsonDocument::fromJson(file.readAll()).object().value(u"program"_qs);
    return program.toString().startsWith(programPrefix());
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
    if (present.contains(u"manifest.json"_qs) && !isOurManifest(QDir(dir).filePath(u"manifest.json"_qs)))
        throw attn::Error("the dump folder " + dir.toStdString() + " holds a manifest.json that "
                          + QCoreApplication::applicationName().toStdString() + " did not write, so it is no dump"
                          + advice);
    // A folder named weights.npy is no file of a dump either, and would stop the new one's. A
    // figure beside the dump is one a command exported there (--dump out --export out/fig.png):
    // the dump writes no such name, and the next run of the same command makes it anew.
    for (const QString& name : present)
        if ((!dumpFileNames.contains(name) || !QFileInfo(QDir(dir).filePath(name)).isFile())
            && !isFigureFile(QDir(dir).filePath(name)))
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
    DumpTensors tensors = {
        {u"inputs.npy"_qs, &trace.x},   {u"q.npy"_qs, &trace.q},         {u"k.npy"_qs, &trace.k},
        {u"v.npy"_qs, &trace.v},        {u"scores.npy"_qs, &trace.scores}, {u"weights.npy"_qs, &trace.weights},
        {u"heads.npy"_qs, &trace.heads}, {u"output.npy"_qs, &trace.output},
    };
    if (trace.isCross())
        tensors.emplace_back(u"source_inputs.npy"_qs, &trace.xSource);

    QJsonObject manifest{
        {QStringLiteral("program"), programText()},
        {QStringLiteral("text"), QString::fromStdString(request.text)},
        {QStringLiteral("tokens"), tokensJson(trace.tokens)},
        {QStringLiteral("config"), configJson(trace)},
        {QStringLiteral("weights_file"), sourceJson(sources.weightsFile)},
        {QStringLiteral("inputs_file"), sourceJson(sources.inputsFile)},
        {QStringLiteral("backend"), QString::fromStdString(trace.backend)},
        {QStringLiteral("fallback_reason"), QString::fromStdString(trace.fallbackReason)},
        {QStringLiteral("timings_ms"), QJsonObject{{QStringLiteral("wall"), trace.wallMs},
                                                   {QStringLiteral("gpu"), trace.gpuMs < 0 ? QJsonValue() : QJsonValue(trace.gpuMs)}}},
    };
    if (trace.isCross()) {
        manifest.insert(QStringLiteral("source_text"), QString::fromStdString(request.sourceText.value_or(std::string())));
        manifest.insert(QStringLiteral("source_tokens"), tokensJson(trace.sourceTokens));
    }
    writeDumpFiles(dir, tensors, manifest);
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
    const attn::Tensor weights = stackedWeights(trace);

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
    };
    if (trace.config.hasLanguageModelHead())
        manifest.insert(QStringLiteral("next_token"), next);
    writeDumpFiles(dir, {{u"weights.npy"_qs, &weights}, {u"hidden.npy"_qs, &trace.hidden}}, manifest);
}
