// `attention-explorer --dump DIR`, run as a user runs it.
#include "../declared_files.h"

#include <attn/engine.h>
#include <attn/npy.h>
#include <attn/safetensors.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/resource.h>
#include <tuple>

namespace {

struct Run {
    int exitCode;
    QString errorOutput;
};

Run finished(QProcess& process)
{
    if (!process.waitForFinished(120000))
        return {-1, u"did not finish"_qs};
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2,
            QString::fromUtf8(process.readAllStandardError())};
}

Run runExplorer(const QStringList& arguments)
{
    QProcess process;
    process.start(QStringLiteral(EXPLORER_EXECUTABLE), arguments);
    return finished(process);
}

// The explorer with each file it writes cut at `bytes`, as a full disk cuts it: a write
// past the limit fails (the signal that would end the program instead is ignored).
Run runExplorerWithFilesCutAt(const QStringList& arguments, rlim_t bytes)
{
    QProcess process;
    process.setChildProcessModifier([bytes] {
        ::signal(SIGXFSZ, SIG_IGN);
        const rlimit limit{bytes, bytes};
        ::setrlimit(RLIMIT_FSIZE, &limit);
    });
    process.start(QStringLiteral(EXPLORER_EXECUTABLE), arguments);
    return finished(process);
}

// Every entry of a folder, hidden ones too, with its bytes.
QMap<QString, QByteArray> folderContents(const QDir& dir)
{
    QMap<QString, QByteArray> contents;
    for (const QString& name : dir.entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot)) {
        QFile file(dir.filePath(name));
        contents.insert(name, file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("(not a readable file)"));
    }
    return contents;
}

// The explorer with `arguments` as the shell writes them, in `folder`: the shell passes
// bytes such as 0xE9 ("$(printf '\351')") as they are, which a QStringList could not.
Run runExplorerFromShell(const QString& arguments, const QString& folder)
{
    QProcess process;
    process.setWorkingDirectory(folder);
    process.start(u"/bin/sh"_qs, {u"-c"_qs, u"exec \"$0\" "_qs + arguments, QStringLiteral(EXPLORER_EXECUTABLE)});
    return finished(process);
}

QJsonObject readManifest(const QDir& dir)
{
    QFile file(dir.filePath(QStringLiteral("manifest.json")));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

// X [rows x cols] of small values, written to `path` as .npy.
attn::Tensor writeInputs(const QString& path, std::size_t rows, std::size_t cols)
{
    attn::Tensor x({rows, cols});
    for (std::size_t i = 0; i < x.size(); ++i)
        x.data[i] = float(i % 7) / 7.f;
    attn::writeNpy(path.toStdString(), x);
    return x;
}

// The explorer given `file`, which declares up to gigabytes and holds none, with the memory
// that maps it and 2 GiB beside: it refuses, naming the file and `reason`, before any
// computation and before reading the data.
void expectRefusedFromTheHeader(const QString& file, const QStringList& arguments, const QString& reason)
{
    QTemporaryDir temp;
    const QString out = QDir(temp.path()).filePath(u"out"_qs);
    const declared::AddressSpaceCap cap(QFileInfo(file).size());
    const Run run = runExplorer(arguments + QStringList{u"--dump"_qs, out});
    QCOMPARE(run.exitCode, 2); // refused with the other option errors
    QVERIFY2(run.errorOutput.contains(file + u": "_qs + reason), qPrintable(run.errorOutput));
    QVERIFY(!QDir(out).exists());
}

} // namespace

class TestDumpCommand : public QObject {
    Q_OBJECT

private slots:
    void dumpWritesEveryTensorAndTheManifest()
    {
        QTemporaryDir temp;
        const QString dir = temp.filePath(QStringLiteral("created/on/demand"));
        const Run run = runExplorer({u"--text"_qs, u"The cat sat, happily."_qs, u"--heads"_qs, u"3"_qs, u"--dk"_qs,
                                     u"5"_qs, u"--dv"_qs, u"7"_qs, u"--dmodel"_qs, u"24"_qs, u"--seed"_qs, u"9"_qs,
                                     u"--causal"_qs, u"--temperature"_qs, u"0.05"_qs, u"--backend"_qs, u"blas"_qs,
                                     u"--dump"_qs, dir});
        QVERIFY2(run.exitCode == 0, qPrintable(run.errorOutput));

        const QDir out(dir);
        const std::pair<const char*, const char*> expectedShapes[] = {
            {"inputs.npy", "[6 x 24]"},       {"q.npy", "[3 x 6 x 5]"},       {"k.npy", "[3 x 6 x 5]"},
            {"v.npy", "[3 x 6 x 7]"},         {"scores.npy", "[3 x 6 x 6]"},  {"weights.npy", "[3 x 6 x 6]"},
            {"heads.npy", "[3 x 6 x 7]"},     {"output.npy", "[6 x 24]"},
        };
        for (const auto& [file, shape] : expectedShapes) {
            const attn::Tensor t = attn::readNpy(out.filePath(QLatin1StringView(file)).toStdString());
            QCOMPARE(t.shapeText(), std::string(shape));
        }

        const QJsonObject manifest = readManifest(out);
        QCOMPARE(manifest.value(u"backend"_qs).toString(), u"blas"_qs);
        const QJsonArray tokens = manifest.value(u"tokens"_qs).toArray();
        QCOMPARE(tokens.size(), 6);
        QCOMPARE(tokens.at(2).toObject().value(u"text"_qs).toString(), u"sat"_qs);
        QCOMPARE(tokens.at(2).toObject().value(u"begin"_qs).toInt(), 8);
        const QJsonObject config = manifest.value(u"config"_qs).toObject();
        QCOMPARE(config.value(u"heads"_qs).toInt(), 3);
        QCOMPARE(config.value(u"d_v"_qs).toInt(), 7);
        QCOMPARE(config.value(u"causal"_qs).toBool(), true);
        QCOMPARE(config.value(u"temperature"_qs).toDouble(), 0.05); // as typed, not the float widened
        QVERIFY(manifest.value(u"timings_ms"_qs).toObject().value(u"wall"_qs).toDouble() >= 0.0);
    }

    // Each token's byte span slices its text out of the manifest's text, the text as run
    // (on the command line, invalid UTF-8 reaches it as U+FFFD), for the source too.
    void manifestSpansSliceTheManifestsText()
    {
        QTemporaryDir temp;
        const QString text = u"I ❤️ 👨‍👩‍👧 القطة naïve"_qs, source = u"追老鼠的猫 e\u0301t\u00e9"_qs;
        const Run run = runExplorer({u"--text"_qs, text, u"--source"_qs, source, u"--dump"_qs, temp.path()});
        QVERIFY2(run.exitCode == 0, qPrintable(run.errorOutput));
        const QJsonObject manifest = readManifest(QDir(temp.path()));
        for (const auto& [textKey, tokensKey, given] :
             {std::tuple{u"text"_qs, u"tokens"_qs, text}, std::tuple{u"source_text"_qs, u"source_tokens"_qs, source}}) {
            QCOMPARE(manifest.value(textKey).toString(), given);
            const QByteArray bytes = given.toUtf8();
            const QJsonArray tokens = manifest.value(tokensKey).toArray();
            QVERIFY(!tokens.isEmpty());
            for (const QJsonValue& token : tokens) {
                const QJsonObject t = token.toObject();
                const int begin = t.value(u"begin"_qs).toInt(), end = t.value(u"end"_qs).toInt();
                QCOMPARE(QString::fromUtf8(bytes.mid(begin, end - begin)), t.value(u"text"_qs).toString());
            }
        }
    }

    // The dump holds the engine's numbers, bit for bit.
    void dumpedWeightsEqualTheEnginesTrace()
    {
        QTemporaryDir temp;
        const Run run = runExplorer({u"--text"_qs, u"I love you"_qs, u"--heads"_qs, u"2"_qs, u"--dk"_qs, u"4"_qs,
                                     u"--dmodel"_qs, u"8"_qs, u"--backend"_qs, u"reference"_qs, u"--dump"_qs, temp.path()});
        QVERIFY2(run.exitCode == 0, qPrintable(run.errorOutput));
        attn::Request request;
        request.text = "I love you";
        request.config.heads = 2;
        request.config.d_k = 4;
        request.config.d_model = 8;
        request.backend = attn::BackendKind::Reference;
        attn::Engine engine;
        const auto trace = engine.run(request);
        const attn::Tensor dumped = attn::readNpy(QDir(temp.path()).filePath(u"weights.npy"_qs).toStdString());
        QCOMPARE(dumped.shape, trace->weights.shape);
        QVERIFY(dumped.data == trace->weights.data);
    }

    void badOptionsExitWithOneLineReason_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("reason");
        QTest::newRow("heads not a number") << QStringList{u"--heads"_qs, u"many"_qs} << u"--heads needs a whole number"_qs;
        QTest::newRow("heads out of range") << QStringList{u"--heads"_qs, u"0"_qs} << u"heads is 0"_qs;
        QTest::newRow("seed past the window's range") << QStringList{u"--seed"_qs, u"3000000000"_qs}
                                                      << u"seed is 3000000000; it must be between 0 and 2147483647"_qs;
        QTest::newRow("unknown scaling") << QStringList{u"--scale"_qs, u"cube"_qs} << u"scaling \"cube\" is unknown"_qs;
        QTest::newRow("unknown backend") << QStringList{u"--backend"_qs, u"tpu"_qs} << u"backend \"tpu\" is unknown"_qs;
        QTest::newRow("missing value") << QStringList{u"--heads"_qs} << u"Missing value"_qs;
        QTest::newRow("unknown option") << QStringList{u"--colour"_qs, u"red"_qs} << u"Unknown option"_qs;
        QTest::newRow("stray argument") << QStringList{u"hello"_qs} << u"put the sentence after --text"_qs;
        QTest::newRow("weights file missing")
            << QStringList{u"--weights"_qs, u"/nonexistent/layer.safetensors"_qs, u"--heads"_qs, u"2"_qs}
            << u"/nonexistent/layer.safetensors: cannot open"_qs;
        QTest::newRow("weights with a model")
            << QStringList{u"--model"_qs, QStringLiteral(ATTN_FIXTURES_DIR "/models/gpt2-tiny"), u"--weights"_qs,
                           u"/nonexistent/layer.safetensors"_qs}
            << u"a trained model sets its own layers and inputs; leave it out with --model"_qs;
        // nn.Linear shapes do not say how rows split into heads: no silent default of 4.
        QTest::newRow("weights without their heads")
            << QStringList{u"--weights"_qs, u"/nonexistent/layer.safetensors"_qs}
            << u"give the layer's number of heads with --heads"_qs;
        QTest::newRow("inputs file missing") << QStringList{u"--inputs"_qs, u"/nonexistent/x.npy"_qs} << u"/nonexistent/x.npy"_qs;
        QTest::newRow("positions for given inputs")
            << QStringList{u"--inputs"_qs, u"/nonexistent/x.npy"_qs, u"--positional"_qs, u"none"_qs}
            << u"--positional does nothing with --inputs"_qs;
        QTest::newRow("dv 0") << QStringList{u"--dv"_qs, u"0"_qs} << u"--dv 0 is not a size"_qs;
        QTest::newRow("a view that is none") << QStringList{u"--view"_qs, u"bogus"_qs} << u"--view bogus is not a view"_qs;
        // A dump alone draws nothing: what shapes a figure would be dropped without a word.
        QTest::newRow("figure options with a dump alone")
            << QStringList{u"--view"_qs, u"steps"_qs, u"--no-title"_qs}
            << u"--view, --no-title shape the figure of --export, and this command only dumps"_qs;
        QTest::newRow("colours with a dump alone") << QStringList{u"--colors"_qs, u"greys"_qs}
                                                   << u"--colors shapes the figure of --export"_qs;
        QTest::newRow("a pixel scale with a dump alone") << QStringList{u"--scale"_qs, u"2"_qs}
                                                         << u"--scale 2 shapes the figure of --export"_qs;
        QTest::newRow("a seed with weights and inputs")
            << QStringList{u"--weights"_qs, u"/nonexistent/layer.safetensors"_qs, u"--heads"_qs, u"2"_qs, u"--inputs"_qs,
                           u"/nonexistent/x.npy"_qs, u"--seed"_qs, u"5"_qs}
            << u"--seed does nothing with both --weights and --inputs"_qs;
        // Refused with the options, as without a layer, not when the layer runs.
        QTest::newRow("a temperature of 0 with a layer")
            << QStringList{u"--weights"_qs, u"/nonexistent/layer.safetensors"_qs, u"--heads"_qs, u"2"_qs, u"--temperature"_qs,
                           u"0"_qs}
            << u"temperature is 0; it must be between 0.001 and 1000."_qs;
        QTest::newRow("a text given twice") << QStringList{u"--text"_qs, u"a"_qs, u"--text"_qs, u"b c"_qs}
                                            << u"--text is given 2 times"_qs;
        // An empty name (an unset shell variable) once read as a file named "".
        QTest::newRow("an empty inputs name") << QStringList{u"--inputs"_qs, QString()} << u"--inputs needs a file name"_qs;
        QTest::newRow("an empty session name") << QStringList{u"--session"_qs, QString()}
                                               << u"--session needs a file name"_qs;
        // Checked as typed, not as the float it would be stored as (0).
        QTest::newRow("a temperature below a float's range") << QStringList{u"--temperature"_qs, u"1e-300"_qs}
                                                             << u"temperature is 1e-300; it must be between"_qs;
        // It says it has 0 bytes, and is not empty.
        QTest::newRow("a file of /proc as inputs") << QStringList{u"--inputs"_qs, u"/proc/self/status"_qs}
                                                   << u"/proc/self/status: says it is 0 bytes long but has contents"_qs;
    }

    void badOptionsExitWithOneLineReason()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, reason);
        QTemporaryDir temp;
        const Run run = runExplorer(QStringList{u"--dump"_qs, temp.path()} + arguments);
        QVERIFY(run.exitCode != 0);
        // One line of ours says what was wrong (Qt may add its own notes about the platform).
        const QStringList ours = run.errorOutput.split(u'\n').filter(QRegularExpression(u"^attention-explorer: "_qs));
        QCOMPARE(ours.size(), 1);
        QVERIFY2(ours.constFirst().contains(reason), qPrintable(run.errorOutput));
    }

    // The dump writes inputs.npy, q.npy, ...: never over the file it reads X from.
    void dumpNeverWritesOverItsOwnInputs()
    {
        QTemporaryDir temp;
        const QString x = QDir(temp.path()).filePath(u"q.npy"_qs);
        const attn::Tensor given = writeInputs(x, 3, 4);
        const Run run = runExplorer({u"--inputs"_qs, x, u"--dmodel"_qs, u"4"_qs, u"--dump"_qs, temp.path()});
        QVERIFY(run.exitCode != 0);
        QVERIFY2(run.errorOutput.contains(u"would write over "_qs + x), qPrintable(run.errorOutput));
        QVERIFY(attn::readNpy(x.toStdString()).data == given.data);
    }

    // Qt reads arguments as UTF-8: a name that is not would reach another file (a dump into
    // "dd_\xe9" went to "dd_\uFFFD"). It is refused, and nothing is written.
    void aFileNameThatIsNotUtf8IsRefused()
    {
        QTemporaryDir temp;
        const Run run = runExplorerFromShell(u"--text hi --dump \"$(printf 'dd_\\351')\""_qs, temp.path());
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.errorOutput.contains(u"--dump dd_%E9: the name is not valid UTF-8"_qs), qPrintable(run.errorOutput));
        QVERIFY(QDir(temp.path()).entryList(QDir::NoDotAndDotDot | QDir::AllEntries).isEmpty());
    }

    // A text that is not UTF-8 is still computed, each stray byte read as U+FFFD, and the
    // command says so rather than showing a token the user did not type without a word.
    void aTextThatIsNotUtf8IsComputedWithAWarning()
    {
        QTemporaryDir temp;
        const Run run = runExplorerFromShell(u"--text \"$(printf 'caf\\351 au lait')\" --dump out"_qs, temp.path());
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.errorOutput.contains(u"warning: --text is not valid UTF-8: each stray byte was read as U+FFFD"_qs),
                 qPrintable(run.errorOutput));
        const Run both = runExplorerFromShell(u"--text \"$(printf 'caf\\351')\" --source \"$(printf 'th\\351')\" --dump both"_qs,
                                              temp.path());
        QCOMPARE(both.exitCode, 0);
        QVERIFY2(both.errorOutput.contains(u"warning: --text and --source are not valid UTF-8"_qs), qPrintable(both.errorOutput));
        const QJsonArray tokens = readManifest(QDir(temp.filePath(u"out"_qs))).value(u"tokens"_qs).toArray();
        QCOMPARE(tokens.size(), 4); // "caf", "\uFFFD", "au", "lait"
        QCOMPARE(tokens.at(1).toObject().value(u"text"_qs).toString(), QString(QChar(0xFFFD)));
    }

    // The window cannot show a loaded layer: the files are refused there, not dropped.
    void givenWeightsOrInputsWithoutADumpOrAFigureAreRefused()
    {
        const QString layer = QStringLiteral(ATTN_FIXTURES_DIR "/attention/uneven_dims/layer.safetensors");
        const Run run = runExplorer({u"--weights"_qs, layer, u"--heads"_qs, u"3"_qs});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.errorOutput.contains(u"the window cannot show a layer or inputs from a file"_qs),
                 qPrintable(run.errorOutput));
    }

    // The manifest says where the numbers came from: the program, the files given, no seed
    // where none made anything, and which maps add a bias.
    void manifestNamesTheFilesTheNumbersCameFrom()
    {
        QTemporaryDir temp;
        const QString layer = QStringLiteral(ATTN_FIXTURES_DIR "/attention/uneven_dims/layer.safetensors");
        const QString x = QDir(temp.path()).filePath(u"x.npy"_qs);
        writeInputs(x, 4, 12);
        const QString out = QDir(temp.path()).filePath(u"out"_qs);
        const Run run = runExplorer({u"--weights"_qs, layer, u"--heads"_qs, u"3"_qs, u"--inputs"_qs, x, u"--dump"_qs, out});
        QVERIFY2(run.exitCode == 0, qPrintable(run.errorOutput));
        const QJsonObject manifest = readManifest(QDir(out));
        QVERIFY(manifest.value(u"program"_qs).toString().startsWith(u"attention-explorer "_qs));
        QCOMPARE(manifest.value(u"weights_file"_qs).toString(), QFileInfo(layer).absoluteFilePath());
        QCOMPARE(manifest.value(u"inputs_file"_qs).toString(), x);
        const QJsonObject config = manifest.value(u"config"_qs).toObject();
        QVERIFY(config.value(u"seed"_qs).isNull());
        const attn::LayerWeights weights = attn::readLayerWeights(layer.toStdString(), 3);
        QCOMPARE(config.value(u"bias"_qs).toBool(), weights.biases().q || weights.biases().k || weights.biases().v
                                                        || weights.biases().o);
        const QJsonObject bias = config.value(u"biases"_qs).toObject();
        QCOMPARE(bias.value(u"q"_qs).toBool(), weights.biases().q);
        QCOMPARE(bias.value(u"k"_qs).toBool(), weights.biases().k);
        QCOMPARE(bias.value(u"v"_qs).toBool(), weights.biases().v);
        QCOMPARE(bias.value(u"o"_qs).toBool(), weights.biases().o);

        const QString seeded = QDir(temp.path()).filePath(u"seeded"_qs);
        QCOMPARE(runExplorer({u"--text"_qs, u"hi there"_qs, u"--seed"_qs, u"7"_qs, u"--dump"_qs, seeded}).exitCode, 0);
        const QJsonObject seededManifest = readManifest(QDir(seeded));
        const QJsonValue seed = seededManifest.value(u"config"_qs).toObject().value(u"seed"_qs);
        QVERIFY2(seed.isDouble(), "the seed is written as a number, as a session file has it");
        QCOMPARE(seed.toInteger(), 7);
        QVERIFY(seededManifest.value(u"weights_file"_qs).isNull());
    }

    // A second dump into a folder replaces the first whole: no file of the earlier one is
    // left beside the new manifest.
    void aDumpReplacesAnEarlierDumpsFiles()
    {
        QTemporaryDir temp;
        QVERIFY(runExplorer({u"--text"_qs, u"le chat"_qs, u"--source"_qs, u"the cat"_qs, u"--dump"_qs, temp.path()}).exitCode
                == 0);
        QVERIFY(QDir(temp.path()).exists(u"source_inputs.npy"_qs));
        const Run run = runExplorer({u"--text"_qs, u"the cat"_qs, u"--dump"_qs, temp.path()});
        QVERIFY2(run.exitCode == 0, qPrintable(run.errorOutput));
        QVERIFY(!QDir(temp.path()).exists(u"source_inputs.npy"_qs));
        QCOMPARE(readManifest(QDir(temp.path())).value(u"text"_qs).toString(), u"the cat"_qs);
    }

    // A folder with a file of the user's in it is refused, and the file is left as it was;
    // so is a q.npy without a manifest beside it, which may be the user's too.
    void aDumpIntoAFolderWithOtherFilesIsRefused_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("reason");
        QTest::newRow("notes") << u"notes.txt"_qs << u"holds notes.txt and no manifest.json, so it is no finished dump"_qs;
        QTest::newRow("a q.npy of the user's") << u"q.npy"_qs << u"holds q.npy and no manifest.json"_qs;
    }
    void aDumpIntoAFolderWithOtherFilesIsRefused()
    {
        QFETCH(QString, file);
        QFETCH(QString, reason);
        QTemporaryDir temp;
        QFile mine(QDir(temp.path()).filePath(file));
        QVERIFY(mine.open(QIODevice::WriteOnly));
        mine.write("mine");
        mine.close();
        const Run run = runExplorer({u"--text"_qs, u"hi"_qs, u"--dump"_qs, temp.path()});
        QCOMPARE(run.exitCode, 2); // refused with the other option errors, before any computation
        QVERIFY2(run.errorOutput.contains(reason), qPrintable(run.errorOutput));
        QCOMPARE(QDir(temp.path()).entryList(QDir::Files), QStringList{file});
        QVERIFY(mine.open(QIODevice::ReadOnly) && mine.readAll() == "mine");
    }

    // A manifest.json of the user's (a web app's) once let a dump write over the files
    // beside it: only a manifest this program wrote marks a folder as a dump.
    void aDumpIntoAFolderWithAnotherProgramsManifestIsRefused()
    {
        QTemporaryDir temp;
        const QDir dir(temp.path());
        for (const QString& name : {u"manifest.json"_qs, u"weights.npy"_qs}) {
            QFile mine(dir.filePath(name));
            QVERIFY(mine.open(QIODevice::WriteOnly));
            mine.write(name == u"manifest.json"_qs ? "{\"name\": \"my web app\"}" : "precious");
        }
        const Run run = runExplorer({u"--text"_qs, u"hi"_qs, u"--dump"_qs, temp.path()});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.errorOutput.contains(u"holds a manifest.json that attention-explorer did not write"_qs),
                 qPrintable(run.errorOutput));
        QFile weights(dir.filePath(u"weights.npy"_qs));
        QVERIFY(weights.open(QIODevice::ReadOnly) && weights.readAll() == "precious");
        QFile manifest(dir.filePath(u"manifest.json"_qs));
        QVERIFY(manifest.open(QIODevice::ReadOnly) && manifest.readAll().contains("my web app"));
    }

    // A finished dump with a file of the user's added is refused too.
    void aDumpIntoADumpWithAnotherFileIsRefused()
    {
        QTemporaryDir temp;
        QCOMPARE(runExplorer({u"--text"_qs, u"hi"_qs, u"--dump"_qs, temp.path()}).exitCode, 0);
        QFile notes(QDir(temp.path()).filePath(u"notes.txt"_qs));
        QVERIFY(notes.open(QIODevice::WriteOnly));
        notes.close();
        const Run run = runExplorer({u"--text"_qs, u"hi there"_qs, u"--dump"_qs, temp.path()});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.errorOutput.contains(u"holds notes.txt, which is no file of a dump"_qs), qPrintable(run.errorOutput));
    }

    // A script that dumps and exports into one folder ran once: its next run found the
    // figure beside the dump and refused. A figure is no file of the user's to keep from the
    // dump; a file named as one that holds something else still is.
    void theSameDumpAndFigureCommandRunsAgain()
    {
        QTemporaryDir temp;
        const QString dump = QDir(temp.path()).filePath(u"results"_qs);
        const QStringList command = {u"--text"_qs, u"hi there"_qs, u"--dump"_qs, dump, u"--export"_qs,
                                     QDir(dump).filePath(u"figure.png"_qs)};
        for (int run = 1; run <= 2; ++run) {
            const Run done = runExplorer(command);
            QVERIFY2(done.exitCode == 0, qPrintable(u"run "_qs + QString::number(run) + u": "_qs + done.errorOutput));
        }
        QFile fake(QDir(dump).filePath(u"notes.png"_qs));
        QVERIFY(fake.open(QIODevice::WriteOnly));
        fake.write("my notes, not an image");
        fake.close();
        const Run refused = runExplorer(command);
        QCOMPARE(refused.exitCode, 2);
        QVERIFY2(refused.errorOutput.contains(u"holds notes.png, which is no file of a dump"_qs), qPrintable(refused.errorOutput));
    }

    // A figure into a folder that does not exist was found out only after the computation,
    // and exited 1; unless the dump makes that folder, it is refused with the options.
    void aFigureIntoAMissingFolderIsRefusedUnlessTheDumpMakesIt()
    {
        QTemporaryDir temp;
        const QString missing = QDir(temp.path()).filePath(u"missing/figure.png"_qs);
        const Run refused = runExplorer({u"--text"_qs, u"hi"_qs, u"--export"_qs, missing});
        QCOMPARE(refused.exitCode, 2);
        QVERIFY2(refused.errorOutput.contains(u"does not exist; create it first"_qs), qPrintable(refused.errorOutput));
        const Run made = runExplorer({u"--text"_qs, u"hi"_qs, u"--dump"_qs, QDir(temp.path()).filePath(u"missing"_qs),
                                      u"--export"_qs, missing});
        QVERIFY2(made.exitCode == 0, qPrintable(made.errorOutput));
        QVERIFY(QFileInfo(missing).isFile());
    }

    // What a file manager leaves in any folder it shows is not the user's work: a folder
    // holding only .DS_Store takes a dump, and keeps it.
    void aDumpIntoAFolderWithOnlySystemFilesIsWritten()
    {
        QTemporaryDir temp;
        QFile finder(QDir(temp.path()).filePath(u".DS_Store"_qs));
        QVERIFY(finder.open(QIODevice::WriteOnly));
        finder.close();
        const Run run = runExplorer({u"--text"_qs, u"hi"_qs, u"--dump"_qs, temp.path()});
        QVERIFY2(run.exitCode == 0, qPrintable(run.errorOutput));
        QVERIFY(QDir(temp.path()).exists(u"manifest.json"_qs));
        QVERIFY(QDir(temp.path()).exists(u".DS_Store"_qs));
    }

    // Without --dmodel or --weights, X's width is d_model.
    void givenInputsSetTheModelWidth()
    {
        QTemporaryDir temp;
        const QString x = QDir(temp.path()).filePath(u"x.npy"_qs);
        const attn::Tensor given = writeInputs(x, 5, 12);
        const QString out = QDir(temp.path()).filePath(u"out"_qs);
        const Run run = runExplorer({u"--inputs"_qs, x, u"--heads"_qs, u"2"_qs, u"--dump"_qs, out});
        QVERIFY2(run.exitCode == 0, qPrintable(run.errorOutput));
        QCOMPARE(readManifest(QDir(out)).value(u"config"_qs).toObject().value(u"d_model"_qs).toInt(), 12);
        QVERIFY(attn::readNpy(QDir(out).filePath(u"inputs.npy"_qs).toStdString()).data == given.data);

        const Run disagreeing = runExplorer({u"--inputs"_qs, x, u"--dmodel"_qs, u"16"_qs, u"--dump"_qs, out});
        QVERIFY(disagreeing.exitCode != 0);
        QVERIFY2(disagreeing.errorOutput.contains(u"[5 x 12]"_qs), qPrintable(disagreeing.errorOutput));
    }

    // Inputs that cannot be X for this layer are refused naming the file, before any run:
    // no rows (a dump of empty arrays), not a matrix, or rows of another width.
    void inputsThatCannotBeXAreRefusedNamingTheirFile()
    {
        QTemporaryDir temp;
        const QString layer = QStringLiteral(ATTN_FIXTURES_DIR "/attention/uneven_dims/layer.safetensors"); // d_model 12
        const QString noRows = QDir(temp.path()).filePath(u"no_rows.npy"_qs);
        const QString wide = QDir(temp.path()).filePath(u"wide.npy"_qs);
        const QString flat = QDir(temp.path()).filePath(u"flat.npy"_qs);
        writeInputs(noRows, 0, 12);
        writeInputs(wide, 5, 17);
        attn::writeNpy(flat.toStdString(), attn::Tensor({12}));
        const QString out = QDir(temp.path()).filePath(u"out"_qs);
        const std::pair<QStringList, QString> cases[] = {
            {{u"--inputs"_qs, noRows}, noRows + u": X has shape [0 x 12]"_qs},
            {{u"--inputs"_qs, flat}, flat + u": X has shape [12]"_qs},
            {{u"--inputs"_qs, wide, u"--weights"_qs, layer, u"--heads"_qs, u"3"_qs},
             wide + u": X has shape [5 x 17] but "_qs + layer + u" takes rows of d_model 12"_qs},
        };
        for (const auto& [arguments, reason] : cases) {
            const Run run = runExplorer(arguments + QStringList{u"--dump"_qs, out});
            QVERIFY(run.exitCode != 0);
            QVERIFY2(run.errorOutput.contains(reason), qPrintable(run.errorOutput));
            QVERIFY(!QDir(out).exists());
        }
    }

    // Inputs beyond the engine's limits are refused from the header, naming the file and
    // the limit, before their data are read.
    void inputsBeyondTheLimitsAreRefusedFromTheirHeader_data()
    {
        QTest::addColumn<qint64>("rows");
        QTest::addColumn<qint64>("cols");
        QTest::addColumn<QStringList>("options");
        QTest::addColumn<QString>("reason");
        QTest::newRow("no width") << qint64(5) << qint64(0) << QStringList{}
                                  << u"X has shape [5 x 0]: d_model is 0; it must be between 1 and 8192."_qs;
        QTest::newRow("too wide") << qint64(2) << qint64(8193) << QStringList{}
                                  << u"X has shape [2 x 8193]: d_model is 8193; it must be between 1 and 8192."_qs;
        QTest::newRow("6.1 GiB declared") << qint64(200000) << qint64(8192) << QStringList{u"--heads"_qs, u"1"_qs}
                                          << u"X has shape [200000 x 8192]: 200000 tokens with 1 head would need 316.4 "
                                             u"GiB of memory, more than the 4.0 GiB limit"_qs;
    }
    void inputsBeyondTheLimitsAreRefusedFromTheirHeader()
    {
        QFETCH(qint64, rows);
        QFETCH(qint64, cols);
        QFETCH(QStringList, options);
        QFETCH(QString, reason);
        QTemporaryDir temp;
        const QString x = declared::writeNpy(QDir(temp.path()).filePath(u"x.npy"_qs), rows, cols);
        expectRefusedFromTheHeader(x, QStringList{u"--inputs"_qs, x} + options, reason);
    }

    // A layer of 64 GiB is refused as one too large for the engine, not read.
    void aLayerBeyondTheLimitsIsRefusedFromItsHeader()
    {
        QTemporaryDir temp;
        const QString layer = declared::writeLayer(QDir(temp.path()).filePath(u"layer.safetensors"_qs), 65536, 65536, 65536);
        expectRefusedFromTheHeader(layer, {u"--weights"_qs, layer, u"--heads"_qs, u"8"_qs, u"--text"_qs, u"a b"_qs},
                                   u"'q_proj.weight' [65536 x 65536] and 'v_proj.weight' [65536 x 65536] in 8 heads give "
                                   u"d_model 65536, d_k 8192 and d_v 8192, beyond the engine's limits: d_k is 8192; it "
                                   u"must be between 1 and 1024."_qs);
    }

    // With --weights the layer's shapes decide d_k, d_v and d_model; a different one asked
    // for is refused, not dropped.
    void sizesThatDisagreeWithGivenWeightsAreRefused()
    {
        QTemporaryDir temp;
        // 3 heads, d_model 12, d_k 5, d_v 7.
        const QString layer = QStringLiteral(ATTN_FIXTURES_DIR "/attention/uneven_dims/layer.safetensors");
        const Run agreeing = runExplorer({u"--weights"_qs, layer, u"--heads"_qs, u"3"_qs, u"--dk"_qs, u"5"_qs, u"--dv"_qs,
                                          u"7"_qs, u"--dmodel"_qs, u"12"_qs, u"--dump"_qs, temp.path()});
        QVERIFY2(agreeing.exitCode == 0, qPrintable(agreeing.errorOutput));
        const Run run = runExplorer({u"--weights"_qs, layer, u"--heads"_qs, u"3"_qs, u"--dk"_qs, u"8"_qs, u"--dump"_qs, temp.path()});
        QVERIFY(run.exitCode != 0);
        QVERIFY2(run.errorOutput.contains(u"--dk 8 disagrees with "_qs + layer + u": its shapes, in 3 heads, give dk 5"_qs),
                 qPrintable(run.errorOutput));
    }

    // A dump cut short (each file cut at 16 KiB, as a full disk cuts it) leaves the earlier
    // dump whole, byte for byte, and no file of its own; the folder then takes the next dump.
    void aDumpCutShortLeavesTheEarlierDumpWhole()
    {
        QTemporaryDir temp;
        const QDir dir(temp.path());
        QCOMPARE(runExplorer({u"--text"_qs, u"I love you"_qs, u"--dump"_qs, temp.path()}).exitCode, 0);
        const QMap<QString, QByteArray> earlier = folderContents(dir);
        QVERIFY(earlier.contains(u"manifest.json"_qs));

        QStringList words; // 60 tokens, 8 heads of d_k 32: q.npy alone is 60 KiB
        for (int i = 1; i <= 60; ++i)
            words << u"w"_qs + QString::number(i);
        const QStringList large = {u"--text"_qs, words.join(u' '), u"--heads"_qs, u"8"_qs, u"--dk"_qs, u"32"_qs};
        const Run cut = runExplorerWithFilesCutAt(large + QStringList{u"--dump"_qs, temp.path()}, 16 * 1024);
        QCOMPARE(cut.exitCode, 1);
        QVERIFY2(cut.errorOutput.contains(u"cannot write "_qs + dir.filePath(u"q.npy"_qs)), qPrintable(cut.errorOutput));
        QVERIFY2(cut.errorOutput.contains(u"The earlier dump in "_qs + temp.path() + u" is unchanged."_qs),
                 qPrintable(cut.errorOutput));
        QCOMPARE(folderContents(dir), earlier);

        const Run next = runExplorer({u"--text"_qs, u"the cat"_qs, u"--dump"_qs, temp.path()});
        QVERIFY2(next.exitCode == 0, qPrintable(next.errorOutput));
        QCOMPARE(readManifest(dir).value(u"text"_qs).toString(), u"the cat"_qs);

        // What a run killed while writing left (its hidden staging folder) goes with the next dump.
        const QString left = dir.filePath(u".attention-explorer-dump-Ab12Cd"_qs);
        QVERIFY(QDir().mkpath(left));
        QFile leftFile(QDir(left).filePath(u"q.npy"_qs));
        QVERIFY(leftFile.open(QIODevice::WriteOnly) && leftFile.write("partial") == 7);
        leftFile.close();
        QCOMPARE(runExplorer({u"--text"_qs, u"the dog"_qs, u"--dump"_qs, temp.path()}).exitCode, 0);
        QVERIFY(!QFileInfo::exists(left));

        // Without an earlier dump, a folder the dump made is not left behind.
        const QString fresh = dir.filePath(u"fresh"_qs);
        const Run first = runExplorerWithFilesCutAt(large + QStringList{u"--dump"_qs, fresh}, 16 * 1024);
        QCOMPARE(first.exitCode, 1);
        QVERIFY2(first.errorOutput.contains(u"No file of the dump was left in "_qs + fresh), qPrintable(first.errorOutput));
        QVERIFY(!QFileInfo::exists(fresh));
    }

    // A folder where a dump's file goes is no file of a dump: refused before anything runs,
    // the earlier dump left as it was.
    void aDumpIntoADumpWithAFolderInAFilesPlaceIsRefused()
    {
        QTemporaryDir temp;
        QDir dir(temp.path());
        QCOMPARE(runExplorer({u"--text"_qs, u"first run"_qs, u"--dump"_qs, temp.path()}).exitCode, 0);
        QVERIFY(dir.remove(u"weights.npy"_qs) && dir.mkdir(u"weights.npy"_qs));
        const Run run = runExplorer({u"--text"_qs, u"second run"_qs, u"--dump"_qs, temp.path()});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.errorOutput.contains(u"holds weights.npy, which is no file of a dump"_qs), qPrintable(run.errorOutput));
        QCOMPARE(readManifest(dir).value(u"text"_qs).toString(), u"first run"_qs);
    }

    // A request the engine refuses as given exits 2, as a bad option does, before anything
    // is written: a causal mask with a source text, and a text whose tokens do not name the
    // inputs' rows, once exited 1, as a failed computation does.
    void aRequestRefusedAsGivenExitsAsABadOptionDoes_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("reason");
        QTest::newRow("causal cross-attention") << QStringList{u"--text"_qs, u"le chat"_qs, u"--source"_qs, u"the cat"_qs,
                                                               u"--causal"_qs}
                                                << u"turn the causal mask off, or leave the source text out"_qs;
        QTest::newRow("tokens that do not name the rows") << QStringList{u"--text"_qs, u"a b c"_qs, u"--inputs"_qs, u"{x}"_qs}
                                                          << u"the text has 3 tokens (\"a\" \"b\" \"c\") but the inputs have 5 rows"_qs;
        QStringList words;
        for (int i = 0; i < 20000; ++i)
            words << u"w"_qs;
        QTest::newRow("a trace past the limit") << QStringList{u"--text"_qs, words.join(u' '), u"--heads"_qs, u"8"_qs}
                                                << u"20000 tokens with 8 heads would need"_qs;
    }
    void aRequestRefusedAsGivenExitsAsABadOptionDoes()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, reason);
        QTemporaryDir temp;
        const QString x = QDir(temp.path()).filePath(u"x.npy"_qs);
        writeInputs(x, 5, 64);
        arguments.replaceInStrings(u"{x}"_qs, x);
        const QString out = QDir(temp.path()).filePath(u"out"_qs);
        const QString figure = QDir(temp.path()).filePath(u"figure.png"_qs);
        const Run run = runExplorer(arguments + QStringList{u"--dump"_qs, out, u"--export"_qs, figure});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.errorOutput.contains(reason), qPrintable(run.errorOutput));
        QVERIFY(!QDir(out).exists());
        QVERIFY(!QFile::exists(figure));
    }

    // A figure refused with a dump beside it left the dump written, though a refusal (exit
    // 2) writes nothing; both come from one computed trace now.
    void aFigureThatCannotBeDrawnLeavesNoDump()
    {
        QTemporaryDir temp;
        const QString out = QDir(temp.path()).filePath(u"out"_qs);
        const std::pair<QStringList, QString> cases[] = {
            {{u"--text"_qs, QString()}, u"the text has no tokens"_qs},
            {{u"--text"_qs, u"a b"_qs, u"--heads"_qs, u"2"_qs, u"--view"_qs, u"head:3"_qs}, u"the layer has 2 heads"_qs},
        };
        for (const auto& [arguments, reason] : cases) {
            const Run run = runExplorer(arguments + QStringList{u"--dump"_qs, out, u"--export"_qs, QDir(temp.path()).filePath(u"f.png"_qs)});
            QCOMPARE(run.exitCode, 2);
            QVERIFY2(run.errorOutput.contains(reason), qPrintable(run.errorOutput));
            QVERIFY(!QDir(out).exists());
        }
    }

    // A backend named by ATTN_BACKEND is a setting too: an unknown one is refused as
    // --backend's is (exit 2), not when the pass runs (it exited 1).
    void anUnknownBackendInTheEnvironmentExitsAsABadOptionDoes()
    {
        QTemporaryDir temp;
        qputenv("ATTN_BACKEND", "bogus");
        const Run run = runExplorer({u"--text"_qs, u"hi"_qs, u"--dump"_qs, QDir(temp.path()).filePath(u"out"_qs)});
        const Run model = runExplorer({u"--model"_qs, QStringLiteral(ATTN_FIXTURES_DIR "/models/gpt2-tiny"), u"--text"_qs,
                                       u"hi"_qs, u"--dump"_qs, QDir(temp.path()).filePath(u"out"_qs)});
        qunsetenv("ATTN_BACKEND");
        for (const Run& r : {run, model}) {
            QCOMPARE(r.exitCode, 2);
            QVERIFY2(r.errorOutput.contains(u"ATTN_BACKEND: backend \"bogus\" is unknown"_qs), qPrintable(r.errorOutput));
        }
        QVERIFY(!QDir(temp.path()).exists(u"out"_qs));
    }

    void dumpIntoAnUnwritableFolderSaysSo()
    {
        const Run run = runExplorer({u"--text"_qs, u"hi"_qs, u"--dump"_qs, u"/proc/no-such-dir"_qs});
        QVERIFY(run.exitCode != 0);
        QVERIFY2(run.errorOutput.contains(u"/proc/no-such-dir"_qs), qPrintable(run.errorOutput));
    }

    void dumpIntoAFileSaysItIsAFileAndLeavesItAlone()
    {
        QTemporaryDir temp;
        const QString file = QDir(temp.path()).filePath(u"notes.txt"_qs);
        QFile notes(file);
        QVERIFY(notes.open(QIODevice::WriteOnly));
        notes.write("keep me");
        notes.close();
        const Run run = runExplorer({u"--text"_qs, u"hi"_qs, u"--dump"_qs, file});
        QVERIFY(run.exitCode != 0);
        QVERIFY2(run.errorOutput.contains(file + u" is a file; give the path of a folder"_qs), qPrintable(run.errorOutput));
        QVERIFY(notes.open(QIODevice::ReadOnly));
        QCOMPARE(notes.readAll(), QByteArray("keep me"));
    }
};

QTEST_GUILESS_MAIN(TestDumpCommand)
#include "test_dump_command.moc"
