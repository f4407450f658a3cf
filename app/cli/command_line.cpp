#include "command_line.h"

#include "compute/failure_text.h"
#include "dump.h"
#include "export/figure_export.h"
#include "export/page_size.h"
#include "model/model_command_line.h"
#include "views/colormap.h"
#include "views/model_views.h"
#include "views/view_registry.h"
#include "window/settings.h"

#include <attn/engine.h>
#include <attn/error.h>
#include <attn/npy.h>
#include <attn/safetensors.h>
#include <attn/tokenizer.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTextStream>

#include <algorithm>
#include <climits>

namespace {

// A figure's page, in logical pixels: above the largest, a 4x PNG would need gigabytes.
constexpr int maxPageSide = 4000;

struct Failure {
    QString message;
};

int intValue(const QCommandLineParser& parser, const QString& name)
{
    bool ok = false;
    const int value = parser.value(name).toInt(&ok);
    if (!ok)
        throw Failure{u"--"_qs + name + u" needs a whole number, not \""_qs + parser.value(name) + u"\"."_qs};
    return value;
}

double realValue(const QCommandLineParser& parser, const QString& name)
{
    bool ok = false;
    const double value = parser.value(name).toDouble(&ok);
    if (!ok)
        throw Failure{u"--"_qs + name + u" needs a number, not \""_qs + parser.value(name) + u"\"."_qs};
    return value;
}

// An option given twice would leave the first value unused without a word; --scale alone
// takes two values, one for each of its meanings (see applyScale).
void refuseRepeatedOptions(const QCommandLineParser& parser, const QList<QCommandLineOption>& options)
{
    for (const QCommandLineOption& option : options) {
        const QString name = option.names().constFirst();
        if (option.valueName().isEmpty() || name == u"scale")
            continue;
        const QStringList values = parser.values(name);
        if (values.size() > 1)
            throw Failure{u"--"_qs + name + u" is given "_qs + QString::number(values.size()) + u" times (\""_qs
                          + values.join(u"\", \""_qs) + u"\"); give it once."_qs};
    }
}

// --size WIDTHxHEIGHT, each up to maxPageSide; whether the figure's type has room on it is
// pageSizeProblem's to say, once the look is known.
QSize pageSizeValue(const QString& value)
{
    static const QRegularExpression form(u"^\\s*(\\d{1,6})\\s*[x×]\\s*(\\d{1,6})\\s*$"_qs,
                                         QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch match = form.match(value);
    const QSize size = match.hasMatch() ? QSize(match.captured(1).toInt(), match.captured(2).toInt()) : QSize();
    if (!match.hasMatch() || size.width() < 1 || size.height() < 1 || size.width() > maxPageSide
        || size.height() > maxPageSide)
        throw Failure{u"--size "_qs + value + u": give the page's width and height in pixels, each up to "_qs
                      + QString::number(maxPageSide) + u", as in 320x240."_qs};
    return size;
}

// --scale takes sqrt|none (score scaling) and a number (the export's pixel scale); it may
// be given twice, once for each.
void applyScale(const QStringList& values, CommandLine& cli)
{
    int numbers = 0, words = 0;
    for (const QString& value : values) {
        bool isNumber = false;
        const double pixels = value.toDouble(&isNumber);
        if ((isNumber ? ++numbers : ++words) > 1)
            throw Failure{u"--scale is given twice for the same thing (\""_qs + values.join(u"\", \""_qs)
                          + u"\"); give sqrt or none once, and an image's pixel scale once."_qs};
        if (isNumber) {
            if (!(pixels >= 1.0 && pixels <= 4.0)) // NaN too
                throw Failure{u"--scale "_qs + value + u" is outside 1 to 4 for an image."_qs};
            cli.imageScale = pixels;
        } else {
            cli.request.config.scaling = attn::scalingFromString(value.toStdString());
        }
    }
}

// The place a path names, however written: relative or absolute, with a trailing slash or
// through a linked folder. The last name need not exist yet.
QString placeOf(const QString& path)
{
    const QFileInfo info(QDir::cleanPath(QFileInfo(path).absoluteFilePath()));
    const QString folder = QFileInfo(info.absolutePath()).canonicalFilePath();
    return (folder.isEmpty() ? info.absolutePath() : folder) + u'/' + info.fileName();
}

} // namespace

attn::Request CommandLine::requestToRun() const
{
    attn::Request run = request;
    if (!causalGiven)
        session::applyCausalWithinOneText(run);
    return run;
}

FigureStyle CommandLine::figureStyle() const
{
    FigureStyle style;
    style.theme = theme.value_or(Theme::System);
    style.colorMap = colorMap.value_or(session ? session->colorMap : ColorMapId::Viridis);
    style.presentation = presentation;
    style.title = title;
    style.unitColorScale = unitColorScale;
    return style;
}

namespace {

// A session's view as --view names it: its "head" (the Head detail view) is head:N of its head.
QString sessionViewName(const SessionState& session, int head)
{
    return session.view == u"head" ? u"head:"_qs + QString::number(head + 1) : session.view;
}

} // namespace

QString CommandLine::modelView() const
{
    if (viewGiven)
        return view;
    if (!session)
        return u"model"_qs;
    // The session's model head where it is the session's model that runs.
    return sessionViewName(*session, modelFromSession ? session->model->head : session->head);
}

QString CommandLine::sandboxView() const
{
    if (!session || viewGiven)
        return view;
    return sessionViewName(*session, session->head);
}

QString viewNameProblem(const QString& view, bool model)
{
    QString problem;
    if (parseViewChoice(view, &problem) || (model && parseModelViewKey(view)))
        return QString();
    if (modelViewKeys().contains(view.trimmed().toLower()))
        return u"--view "_qs + view + u" shows a trained model; give its folder with --model DIR."_qs;
    return model ? problem + u" With --model there are also model, rollout and next."_qs : problem;
}

namespace {

// The raw values given to `options` among the arguments, as "--option value" or
// "--option=value", before Qt reads them as UTF-8.
QList<std::pair<QByteArray, QByteArray>> rawValues(int argc, char* argv[], const QByteArrayList& options)
{
    QList<std::pair<QByteArray, QByteArray>> values;
    for (int i = 1; i < argc; ++i) {
        const QByteArray argument(argv[i]);
        for (const QByteArray& option : options) {
            if (argument == option && i + 1 < argc)
                values.append({option, QByteArray(argv[i + 1])});
            else if (argument.startsWith(QByteArray(option + '=')))
                values.append({option, argument.mid(option.size() + 1)});
        }
    }
    return values;
}

} // namespace

QString fileNameArgumentProblem(int argc, char* argv[])
{
    const QByteArrayList fileOptions = {"--weights", "--inputs", "--dump", "--export", "--session", "--session-file", "--model"};
    for (const auto& [option, value] : rawValues(argc, argv, fileOptions))
        if (!QByteArrayView(value).isValidUtf8())
            return QString::fromLatin1(option) + u" "_qs + QString::fromLatin1(value.toPercentEncoding("/._-~"))
                   + u": the name is not valid UTF-8 (shown here percent-encoded), and attention-explorer reads "
                     u"names as UTF-8; rename the file or folder."_qs;
    return {};
}

QString textArgumentWarning(int argc, char* argv[])
{
    QStringList invalid;
    for (const auto& [option, value] : rawValues(argc, argv, {"--text", "--source"}))
        if (!QByteArrayView(value).isValidUtf8() && !invalid.contains(QString::fromLatin1(option)))
            invalid << QString::fromLatin1(option);
    if (invalid.isEmpty())
        return {};
    return invalid.join(u" and "_qs) + (invalid.size() > 1 ? u" are"_qs : u" is"_qs)
           + u" not valid UTF-8: each stray byte was read as U+FFFD ("_qs + QChar(0xFFFD)
           + u"). Give the text in UTF-8 (iconv -f latin1 -t utf-8 converts Latin-1)."_qs;
}

ParsedCommandLine parseCommandLine(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("See multi-head attention work: type a sentence, watch every head."));
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version = parser.addVersionOption();
    const attn::Config defaults;
    const QList<QCommandLineOption> options = {
        {QStringLiteral("text"), QStringLiteral("The sentence to attend over."), QStringLiteral("text")},
        {QStringLiteral("source"), QStringLiteral("Cross-attention: keys and values come from this text."), QStringLiteral("text")},
        {{QStringLiteral("session"), QStringLiteral("session-file")},
         QStringLiteral("Start from a saved session; other options apply on top of it."), QStringLiteral("file")},
        {QStringLiteral("presentation"), QStringLiteral("Large type and thick lines (the classroom look), in --export (with --model too) and the window.")},
        {QStringLiteral("heads"), u"Number of heads (1-"_qs + QString::number(attn::Limits::maxHeads) + u")."_qs, QStringLiteral("h"), QString::number(defaults.heads)},
        {QStringLiteral("dk"), u"Key and query size per head (1-"_qs + QString::number(attn::Limits::maxKeyDim) + u")."_qs, QStringLiteral("d"), QString::number(defaults.d_k)},
        {QStringLiteral("dv"), QStringLiteral("Value size per head; default: d_k."), QStringLiteral("d"), QStringLiteral("0")},
        {QStringLiteral("dmodel"), u"Model width (1-"_qs + QString::number(attn::Limits::maxModelDim) + u"); with --inputs, X's width."_qs, QStringLiteral("d"), QString::number(defaults.d_model)},
        {QStringLiteral("seed"), u"Seed of the weights and embeddings (0-"_qs + QString::number(attn::Limits::maxSeed) + u")."_qs, QStringLiteral("n"), QString::number(defaults.seed)},
        {QStringLiteral("causal"), QStringLiteral("Each token sees only the tokens before it.")},
        {QStringLiteral("scale"), QStringLiteral("sqrt|none: divide scores by sqrt(d_k) or not; a number 1-4: pixel scale of a PNG from --export."), QStringLiteral("s")},
        {QStringLiteral("temperature"), QStringLiteral("Divides the scaled scores."), QStringLiteral("T"), QStringLiteral("1")},
        {QStringLiteral("positional"), QStringLiteral("sinusoidal|none."), QStringLiteral("p"), QStringLiteral("sinusoidal")},
        {QStringLiteral("weights"), QStringLiteral("A layer in nn.Linear layout (.safetensors), split into --heads heads."), QStringLiteral("file")},
        {QStringLiteral("inputs"), QStringLiteral("X as given, [n x d_model] (.npy)."), QStringLiteral("file")},
        {QStringLiteral("backend"), QStringLiteral("auto|blas|vulkan|reference."), QStringLiteral("name"), QStringLiteral("auto")},
        {QStringLiteral("dump"), QStringLiteral("Write the trace as .npy files and manifest.json into dir, then exit."), QStringLiteral("dir")},
        {QStringLiteral("export"), QStringLiteral("Write the figure of --view to a .png or .svg file, then exit."), QStringLiteral("file")},
        {QStringLiteral("view"), QStringLiteral("heads|links|steps|head:N (N from 1); with --model also model|rollout|next."), QStringLiteral("view"), QStringLiteral("heads")},
        {QStringLiteral("size"), QStringLiteral("The page of --export in pixels at 96 an inch (0.75 pt each in an SVG), as in 320x240 for a paper's column of 3.3 inches: the type keeps its size, so on a smaller page it is larger for the figure."), QStringLiteral("WxH")},
        {QStringLiteral("no-title"), QStringLiteral("Leave the title line out of --export.")},
        {QStringLiteral("unit-scale"), QStringLiteral("Colour weights from 0 to 1, not from 0 to the largest weight shown.")},
        {QStringLiteral("theme"), QStringLiteral("light|dark|system: the window's colours, and those of --export (system: light)."), QStringLiteral("theme")},
        {QStringLiteral("colors"), u"The colours of the weights, in the window and in --export: "_qs
                                       + ColorMap::keys().join(u'|') + u" (cividis: colour-blind safe; greys: for print)."_qs,
         QStringLiteral("map")},
        {QStringLiteral("model"), QStringLiteral("A trained model's folder (config.json, model.safetensors, tokenizer): show its attention."), QStringLiteral("dir")},
        {QStringLiteral("layer"), QStringLiteral("With --model: the layer the sandbox views show, from 1."), QStringLiteral("L")},
    };
    parser.addOptions(options);

    ParsedCommandLine result;
    if (!parser.parse(arguments)) {
        result.error = parser.errorText();
        return result;
    }
    if (parser.isSet(help) || parser.isSet(version)) {
        QTextStream(stdout) << (parser.isSet(help) ? parser.helpText()
                                                   : QCoreApplication::applicationName() + u' '
                                                         + QCoreApplication::applicationVersion() + u'\n');
        result.exitNow = true;
        return result;
    }
    if (!parser.positionalArguments().isEmpty()) {
        result.error = u"unexpected argument \""_qs + parser.positionalArguments().constFirst()
                       + u"\"; put the sentence after --text."_qs;
        return result;
    }

    try {
        refuseRepeatedOptions(parser, options);
        CommandLine cli;
        attn::Config& config = cli.request.config;
        // A session first; every option given explicitly then overrides it. Without a
        // session the options' defaults are attn::Config's, so the result is the same.
        const auto given = [&parser](const char* name) { return parser.isSet(QString::fromLatin1(name)); };
        // An empty name (an unset shell variable) names no file.
        for (const auto& [name, example] : {std::pair{"weights", "layer.safetensors"}, {"inputs", "x.npy"},
                                            {"session", "lesson.json"}})
            if (given(name) && parser.value(QString::fromLatin1(name)).trimmed().isEmpty())
                throw Failure{u"--"_qs + QString::fromLatin1(name) + u" needs a file name, as in --"_qs
                              + QString::fromLatin1(name) + u' ' + QString::fromLatin1(example) + u'.'};
        // Refused before any file is read, each with the one change that makes it work.
        for (const char* name : {"weights", "inputs"}) {
            if (!given(name))
                continue;
            const QString option = u"--"_qs + QString::fromLatin1(name) + u' ' + parser.value(QString::fromLatin1(name));
            if (given("model"))
                throw Failure{option + u": a trained model sets its own layers and inputs; leave it out with --model."_qs};
            if (!given("dump") && !given("export"))
                throw Failure{option + u": the window cannot show a layer or inputs from a file yet, only figures and "
                                       u"dumps can; add --export FILE.png or --dump DIR"_qs
                              + (given("weights") && !given("heads") ? u" (and the layer's --heads)."_qs : u"."_qs)};
        }
        // nn.Linear's shapes do not say how their rows split into heads; a default (or a
        // session's count, made for another layer) would run another layer without a word.
        if (given("weights") && !given("heads"))
            throw Failure{u"--weights "_qs + parser.value(QStringLiteral("weights"))
                          + u": give the layer's number of heads with --heads; the file's shapes do not say how its "
                            u"rows split into heads."_qs};
        if (given("session")) {
            const SessionResult opened = session::open(parser.value(QStringLiteral("session")), viewKeys() + modelViewKeys());
            if (!opened.ok())
                throw Failure{u"--session: "_qs + opened.error};
            cli.session = opened.state;
            cli.sessionFile = parser.value(QStringLiteral("session"));
            if (!opened.ignored.isEmpty())
                cli.sessionNote = cli.sessionFile + u": "_qs + session::ignoredMembersText(opened.ignored);
            cli.request.text = opened.state->text.toStdString();
            if (opened.state->sourceText)
                cli.request.sourceText = opened.state->sourceText->toStdString();
            config = opened.state->config;
            cli.request.backend = opened.state->backend;
        }
        if (!cli.session || given("text"))
            cli.request.text = parser.value(QStringLiteral("text")).toStdString();
        if (given("source")) {
            const QString source = parser.value(QStringLiteral("source"));
            cli.request.sourceText = source.isEmpty() ? std::nullopt : std::optional<std::string>(source.toStdString());
        }
        if (!cli.session || given("heads"))
            config.heads = intValue(parser, QStringLiteral("heads"));
        if (!cli.session || given("dk"))
            config.d_k = intValue(parser, QStringLiteral("dk"));
        if (!cli.session || given("dv"))
            config.d_v = intValue(parser, QStringLiteral("dv"));
        if (given("dv") && config.d_v < 1) // 0 is how the config says "same as d_k"
            throw Failure{u"--dv "_qs + parser.value(QStringLiteral("dv"))
                          + u" is not a size; give 1 to 1024, or leave --dv out for d_v = d_k."_qs};
        if (!cli.session || given("dmodel"))
            config.d_model = intValue(parser, QStringLiteral("dmodel"));
        if (!cli.session || given("seed")) {
            bool seedOk = false;
            config.seed = parser.value(QStringLiteral("seed")).toULongLong(&seedOk);
            if (!seedOk)
                throw Failure{u"--seed needs a whole number from 0, not \""_qs + parser.value(QStringLiteral("seed")) + u"\"."_qs};
        }
        if (!cli.session || given("causal"))
            config.causal = given("causal");
        if (!cli.session || given("temperature")) {
            // Checked as typed: as a float, 1e-300 would be refused as "0".
            const double temperature = realValue(parser, QStringLiteral("temperature"));
            attn::validateTemperature(temperature);
            config.temperature = float(temperature);
        }
        if (!cli.session || given("positional"))
            config.positional = attn::positionalFromString(parser.value(QStringLiteral("positional")).toStdString());
        applyScale(parser.values(QStringLiteral("scale")), cli);
        cli.causalGiven = given("causal");
        cli.backendGiven = given("backend");
        if (!cli.session || cli.backendGiven)
            cli.request.backend = attn::backendKindFromString(parser.value(QStringLiteral("backend")).toStdString());
        if (given("seed") && given("weights") && given("inputs") && !given("source")) // a source is embedded with it
            throw Failure{u"--seed does nothing with both --weights and --inputs: it seeds the weights and the "
                          u"embeddings, and both are given. Leave --seed out."_qs};
        if (!given("weights")) // a layer's own sizes are checked as its file is read
            attn::validate(config);
        else // the temperature is the user's whatever the layer: refused here, as without one
            attn::validateTemperature(config.temperature);
        if (given("weights")) {
            cli.weightsFile = parser.value(QStringLiteral("weights"));
            cli.request.weights = std::make_shared<const attn::LayerWeights>(
                attn::readLayerWeights(cli.weightsFile.toStdString(), config.heads));
            // The layer's shapes decide these sizes; a different one asked for would be dropped.
            const attn::LayerWeights& layer = *cli.request.weights;
            for (const auto& [name, size] : {std::pair{"dk", layer.d_k}, {"dv", layer.d_v}, {"dmodel", layer.d_model}})
                if (given(name) && intValue(parser, QString::fromLatin1(name)) != size)
                    throw Failure{u"--"_qs + QString::fromLatin1(name) + u' ' + parser.value(QString::fromLatin1(name))
                                  + u" disagrees with "_qs + cli.weightsFile + u": its shapes, in "_qs
                                  + QString::number(layer.heads) + u" heads, give "_qs + QString::fromLatin1(name)
                                  + u' ' + QString::number(size) + u"; leave --"_qs + QString::fromLatin1(name)
                                  + u" out with --weights."_qs};
        }
        if (given("inputs")) {
            if (given("positional") && !given("source"))
                throw Failure{u"--positional does nothing with --inputs: X is used as given. Leave --positional out."_qs};
            cli.inputsFile = parser.value(QStringLiteral("inputs"));
            // Everything the header decides is checked before the data are read.
            const std::vector<std::size_t> x = attn::readNpyShape(cli.inputsFile.toStdString());
            const QString shape = QString::fromStdString(attn::Tensor::shapeText(x));
            if (x.size() != 2 || x[0] == 0)
                throw Failure{cli.inputsFile + u": X has shape "_qs + shape
                              + u"; --inputs takes one row per token, [n x d_model], with at least one row."_qs};
            // X's width is the layer's d_model unless a layer or --dmodel says otherwise;
            // a disagreement is refused, naming both.
            if (cli.request.weights && x[1] != std::size_t(cli.request.weights->d_model))
                throw Failure{cli.inputsFile + u": X has shape "_qs + shape + u" but "_qs + cli.weightsFile
                              + u" takes rows of d_model "_qs + QString::number(cli.request.weights->d_model) + u'.'};
            if (given("dmodel") && x[1] != std::size_t(config.d_model))
                throw Failure{cli.inputsFile + u": X has shape "_qs + shape + u" but --dmodel is "_qs
                              + QString::number(config.d_model) + u"; leave --dmodel out to take X's width."_qs};
            if (!cli.request.weights)
                config.d_model = int(std::min<std::size_t>(x[1], std::size_t(INT_MAX)));
            try {
                if (!cli.request.weights) // only X's width can fail: the rest passed above
                    attn::validate(config);
                // Cross-attention's keys are the source text's tokens. A source without a token
                // is none to the engine, which then checks again with the rows as keys.
                const std::size_t keys = cli.request.sourceText ? attn::tokenize(*cli.request.sourceText).size() : x[0];
                attn::Engine::requireTraceFits(x[0], keys,
                                               cli.request.weights ? cli.request.weights->applyTo(config) : config);
            } catch (const attn::Error& error) {
                throw Failure{cli.inputsFile + u": X has shape "_qs + shape + u": "_qs + QString::fromUtf8(error.what())};
            }
            cli.request.inputs = std::make_shared<const attn::Tensor>(attn::readNpy(cli.inputsFile.toStdString()));
        }
        cli.dumpDir = parser.value(QStringLiteral("dump"));
        cli.exportPath = parser.value(QStringLiteral("export"));
        cli.view = parser.value(QStringLiteral("view"));
        // An empty name (an unset shell variable) would open the window instead.
        if (given("dump") && cli.dumpDir.trimmed().isEmpty())
            throw Failure{u"--dump needs the folder to write into, as in --dump out."_qs};
        if (given("export") && cli.exportPath.trimmed().isEmpty())
            throw Failure{u"--export needs a file name ending in .png or .svg, as in --export figure.png."_qs};
        if (cli.imageScale != 1.0 && !cli.exportPath.isEmpty() && formatForPath(cli.exportPath) == FigureFormat::Svg)
            throw Failure{u"--scale "_qs + QString::number(cli.imageScale)
                          + u" sets the pixel scale of a PNG; an SVG has none: whoever places it sets its size, and its "
                            u"heatmaps carry up to 4 image pixels per page pixel. Leave the number out, or export a .png."_qs};
        if (given("size")) {
            cli.pageSize = pageSizeValue(parser.value(QStringLiteral("size")));
            if (cli.exportPath.isEmpty() && cli.dumpDir.isEmpty())
                throw Failure{u"--size sets the page of the figure that --export writes; the window's views fill the "
                              u"window. Add --export FILE.png, or leave --size out."_qs};
        }
        // Refused before the dump is written, which goes first. A missing folder is left to the
        // export itself where the dump makes it (--dump out --export out/figure.png).
        if (!cli.exportPath.isEmpty()) {
            if (!cli.dumpDir.isEmpty() && placeOf(cli.exportPath) == placeOf(cli.dumpDir))
                throw Failure{u"--export "_qs + cli.exportPath + u" and --dump "_qs + cli.dumpDir
                              + u" name the same place: the dump makes a folder there, and the figure needs a file; "
                                u"give the dump folder another name."_qs};
            const QString folder = QFileInfo(cli.exportPath).absolutePath();
            const QString dump = cli.dumpDir.isEmpty() ? QString() : QFileInfo(cli.dumpDir).absoluteFilePath();
            const bool dumpMakesFolder = !dump.isEmpty() && (dump == folder || dump.startsWith(folder + u'/'));
            if (const QString problem = exportPathProblem(cli.exportPath);
                !problem.isEmpty() && (QFileInfo(cli.exportPath).absoluteDir().exists() || !dumpMakesFolder))
                throw Failure{problem};
        }
        if (!cli.dumpDir.isEmpty()) {
            QStringList read;
            for (const char* name : {"inputs", "weights", "session"})
                if (given(name))
                    read << parser.value(QString::fromLatin1(name));
            refuseDumpOverInputs(cli.dumpDir, read);
            refuseDumpFolder(cli.dumpDir);
        }
        if (cli.session && cli.session->model) {
            cli.modelFolder = cli.session->model->folder;
            cli.modelFromSession = !given("model");
        }
        if (given("model")) {
            cli.modelFolder = parser.value(QStringLiteral("model"));
            if (cli.modelFolder.trimmed().isEmpty())
                throw Failure{u"--model needs the model's folder, as in --model models/gpt2."_qs};
        }
        if (given("layer")) {
            if (cli.modelFolder.isEmpty())
                throw Failure{u"--layer chooses a layer of a trained model; give the model with --model DIR."_qs};
            QString problem;
            cli.modelLayer = parseLayerArgument(parser.value(QStringLiteral("layer")), &problem);
            if (cli.modelLayer < 0)
                throw Failure{problem};
        } else if (cli.modelFromSession) {
            cli.modelLayer = cli.session->model->layer;
            cli.layerFromSession = true;
        }
        if (!cli.modelFolder.isEmpty() && (!cli.dumpDir.isEmpty() || !cli.exportPath.isEmpty())) {
            // A dump or figure of a trained model would drop these without a word (the
            // window keeps them for the sandbox it returns to).
            QStringList dropped;
            for (const char* name : {"source", "heads", "dk", "dv", "dmodel", "seed", "causal", "temperature", "positional",
                                     "weights", "inputs"}) // the last two: with a session's model
                if (given(name))
                    dropped << u"--"_qs + QString::fromLatin1(name);
            for (const QString& value : parser.values(QStringLiteral("scale"))) {
                bool isNumber = false; // a number is the image's pixel scale, which models use too
                value.toDouble(&isNumber);
                if (!isNumber)
                    dropped << u"--scale "_qs + value;
            }
            if (!dropped.isEmpty())
                throw Failure{dropped.join(u", "_qs)
                              + u": a trained model sets its own layers (heads, sizes, weights, mask, scaling and "
                                u"temperature) and reads one text, with no source; leave "_qs
                              + (dropped.size() == 1 ? u"it"_qs : u"them"_qs) + u" out with a model."_qs};
        }
        cli.viewGiven = given("view");
        if (cli.viewGiven)
            if (const QString problem = viewNameProblem(cli.view, !cli.modelFolder.isEmpty()); !problem.isEmpty())
                throw Failure{problem};
        cli.presentation = given("presentation");
        cli.title = !parser.isSet(QStringLiteral("no-title"));
        cli.unitColorScale = given("unit-scale") || (cli.session && cli.session->unitColorScale);
        if (given("theme")) {
            const QString theme = parser.value(QStringLiteral("theme"));
            cli.theme = themeFromName(theme);
            if (!cli.theme)
                throw Failure{u"--theme "_qs + theme + u": use light, dark or system."_qs};
        }
        if (given("colors")) {
            const QString name = parser.value(QStringLiteral("colors"));
            cli.colorMap = ColorMap::findKey(name);
            if (!cli.colorMap) {
                QStringList keys = ColorMap::keys();
                const QString last = keys.takeLast();
                throw Failure{u"--colors "_qs + name + u": use "_qs + keys.join(u", "_qs) + u" or "_qs + last + u'.'};
            }
        }
        // Refused before anything is computed or a dump written.
        if (cli.pageSize)
            if (const QString problem = pageSizeProblem(cli.modelFolder.isEmpty() ? cli.sandboxView() : cli.modelView(),
                                                        *cli.pageSize, cli.figureStyle().look());
                !problem.isEmpty())
                throw Failure{problem};
        if (cli.pageSize && formatForPath(cli.exportPath) == FigureFormat::Png)
            if (const QString problem = pngSizeProblem(*cli.pageSize, cli.imageScale); !problem.isEmpty())
                throw Failure{problem};
        if (!cli.dumpDir.isEmpty() && cli.exportPath.isEmpty()) {
            // A dump alone draws nothing: options that shape a figure would be dropped without a word.
            QStringList unused;
            // --layer too: a model's dump holds every layer.
            for (const char* name : {"view", "size", "no-title", "presentation", "unit-scale", "theme", "colors", "layer"})
                if (given(name))
                    unused << u"--"_qs + QString::fromLatin1(name);
            if (cli.imageScale != 1.0)
                unused << u"--scale "_qs + QString::number(cli.imageScale);
            if (!unused.isEmpty())
                throw Failure{unused.join(u", "_qs) + u" shape"_qs + (unused.size() == 1 ? u"s"_qs : QString())
                              + u" the figure of --export, and this command only dumps: add --export FILE.png, or leave "_qs
                              + (unused.size() == 1 ? u"it"_qs : u"them"_qs) + u" out."_qs};
        }
        cli.textGiven = given("text") || cli.session.has_value();
        if (!cli.textGiven && !cli.request.inputs) // a dump, a figure or a model without --text: the example
            cli.request.text = Settings::defaultText().toStdString();
        for (const char* name :
             {"heads", "dk", "dv", "dmodel", "seed", "causal", "scale", "temperature", "positional", "session"})
            cli.layerGiven = cli.layerGiven || given(name);
        result.commandLine = std::move(cli);
    } catch (const Failure& failure) {
        result.error = failure.message;
    } catch (...) {
        result.error = failureText(std::current_exception(), u"while reading the files given"_qs,
                                   u"give smaller files"_qs);
    }
    return result;
}
