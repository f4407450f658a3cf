// Session files: a saved session opens to the same state and the same trace; a damaged
// or foreign file is refused with a message and gives no state. Also the bundled
// examples and the head statistics table.
#include "session/examples.h"
#include "session/session.h"
#include "views/head_stats_model.h"

#include "../files_cut_short.h"

#include <attn/engine.h>

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSortFilterProxyModel>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

namespace {

SessionState sampleState()
{
    SessionState state;
    state.text = u"The trophy didn't fit in the suitcase because it was too big."_qs;
    state.config.heads = 3;
    state.config.d_model = 48;
    state.config.d_k = 12;
    state.config.d_v = 10;
    state.config.seed = 123456789;
    state.config.causal = true;
    state.config.scaling = attn::Scaling::None;
    state.config.temperature = 0.7f;
    state.config.positional = attn::Positional::None;
    state.config.bias = true;
    state.backend = attn::BackendKind::Reference;
    state.view = u"head"_qs;
    state.head = 2;
    state.query = 9;
    state.key = 4;
    state.colorMap = ColorMapId::Cividis;
    state.unitColorScale = true;
    state.filter.keepShare = 0.8;
    state.filter.hideFirst = true;
    return state;
}

std::shared_ptr<const attn::Trace> traceOf(const SessionState& state)
{
    attn::Request request;
    request.text = state.text.toStdString();
    if (state.sourceText)
        request.sourceText = state.sourceText->toStdString();
    request.config = state.config;
    request.backend = attn::BackendKind::Reference;
    attn::Engine engine;
    return engine.run(request);
}

// The sample session as JSON with one member replaced (path "a.b"), or removed when value is undefined.
QByteArray sampleWith(const QString& path, const QJsonValue& value)
{
    QJsonObject root = QJsonDocument::fromJson(session::toJson(sampleState())).object();
    const QStringList parts = path.split(u'.');
    if (parts.size() == 1) {
        if (value.isUndefined())
            root.remove(parts[0]);
        else
            root[parts[0]] = value;
    } else {
        QJsonObject inner = root[parts[0]].toObject();
        if (value.isUndefined())
            inner.remove(parts[1]);
        else
            inner[parts[1]] = value;
        root[parts[0]] = inner;
    }
    return QJsonDocument(root).toJson();
}

} // namespace

class TestSession : public QObject {
    Q_OBJECT
private slots:
    void savedSessionOpensToTheSameStateAndTrace()
    {
        QTemporaryDir folder;
        QVERIFY(folder.isValid());
        const QString path = folder.filePath(u"class.json"_qs);
        const SessionState state = sampleState();
        QString error;
        QVERIFY2(session::save(path, state, &error), qPrintable(error));
        const SessionResult opened = session::open(path, {u"heads"_qs, u"head"_qs, u"links"_qs, u"steps"_qs});
        QVERIFY2(opened.ok(), qPrintable(opened.error));
        QVERIFY(*opened.state == state);
        QVERIFY(opened.state->config == state.config);

        const auto before = traceOf(state), after = traceOf(*opened.state);
        QCOMPARE(after->weights.shape, before->weights.shape);
        QVERIFY(after->weights.data == before->weights.data);
        QVERIFY(after->output.data == before->output.data);
    }

    void crossAttentionSessionKeepsTheSource()
    {
        SessionState state = sampleState();
        state.text = u"le chat dort"_qs;
        state.sourceText = u"the cat is sleeping"_qs;
        state.config.causal = false; // no causal mask across two texts
        const SessionResult opened = session::fromJson(session::toJson(state));
        QVERIFY2(opened.ok(), qPrintable(opened.error));
        QCOMPARE(opened.state->sourceText, state.sourceText);
        QVERIFY(traceOf(*opened.state)->isCross());
    }

    // A hand-written member this version does not read ("weights" for a layer of one's own)
    // was dropped without a word, and the figure taken for that layer's; every member of a
    // saved file is read.
    void membersThatAreNotReadAreNamed()
    {
        QVERIFY(session::fromJson(session::toJson(sampleState())).ignored.isEmpty());
        QJsonObject root = QJsonDocument::fromJson(session::toJson(sampleState())).object();
        root[u"weights"_qs] = u"layer.safetensors"_qs;
        QJsonObject config = root[u"config"_qs].toObject();
        config[u"inputs"_qs] = u"x.npy"_qs;
        root[u"config"_qs] = config;
        root[u"sourceText"_qs] = QJsonValue::Null; // "none", as omitting it says
        const SessionResult opened = session::fromJson(QJsonDocument(root).toJson());
        QVERIFY2(opened.ok(), qPrintable(opened.error));
        QCOMPARE(opened.ignored, (QStringList{u"config.inputs"_qs, u"weights"_qs}));
        QVERIFY(session::ignoredMembersText(opened.ignored).contains(u"the members “config.inputs”, “weights” are not read"_qs));
        QVERIFY(session::ignoredMembersText(opened.ignored).contains(u"--weights and --inputs"_qs));
        // A misspelt member is told to check its spelling, not to give a layer of one's own.
        const QString typo = session::ignoredMembersText({u"colourScale"_qs});
        QVERIFY2(typo.contains(u"spelling"_qs) && !typo.contains(u"--weights"_qs), qPrintable(typo));
    }

    // A file written before the fixed colour scale existed has the scale it was made with.
    void aSessionWithoutAColourScaleColoursToTheLargestWeight()
    {
        const SessionResult opened = session::fromJson(sampleWith(u"colorScale"_qs, QJsonValue(QJsonValue::Undefined)));
        QVERIFY2(opened.ok(), qPrintable(opened.error));
        QVERIFY(!opened.state->unitColorScale);
        QVERIFY(session::fromJson(session::toJson(sampleState())).state->unitColorScale);
    }

    // A relative model folder is read beside the session file, and stays relative when saved:
    // beside the same file, and beside a file elsewhere as a path that still reaches it;
    // where the two meet only at the root, absolute. An absolute folder is written as it is.
    void aRelativeModelFolderIsBesideTheSessionFileWhereverItIsSaved()
    {
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkpath(u"lessons/week2"_qs));
        SessionState state = sampleState();
        state.model = SessionModel{u"../models/gpt2"_qs, 1, 2};
        const QString first = dir.filePath(u"lessons/first.json"_qs);
        QString error;
        QVERIFY2(session::save(first, state, &error), qPrintable(error));
        const SessionResult opened = session::open(first);
        QVERIFY2(opened.ok(), qPrintable(opened.error));
        QVERIFY(opened.state->model->relativeToFile);
        const QString folder = QDir::cleanPath(dir.filePath(u"models/gpt2"_qs));
        QCOMPARE(opened.state->model->folder, folder);

        const auto written = [](const QString& path) {
            QFile file(path);
            file.open(QIODevice::ReadOnly);
            return QJsonDocument::fromJson(file.readAll())[u"model"_qs][u"folder"_qs].toString();
        };
        const std::pair<QString, QString> saves[] = {{first, u"../models/gpt2"_qs},
                                                     {dir.filePath(u"lessons/week2/again.json"_qs), u"../../models/gpt2"_qs},
                                                     {dir.filePath(u"top.json"_qs), u"models/gpt2"_qs}};
        for (const auto& [path, relative] : saves) {
            QVERIFY2(session::save(path, *opened.state, &error), qPrintable(error));
            QCOMPARE(written(path), relative);
            QCOMPARE(session::open(path).state->model->folder, folder);
        }

        SessionState elsewhere = *opened.state;
        elsewhere.model->folder = u"/nonexistent-top/models/gpt2"_qs;
        QVERIFY2(session::save(first, elsewhere, &error), qPrintable(error));
        QCOMPARE(written(first), elsewhere.model->folder);

        state.model->folder = u"/opt/models/gpt2"_qs; // absolute: as written
        QVERIFY2(session::save(first, state, &error), qPrintable(error));
        QCOMPARE(session::open(first).state->model->folder, u"/opt/models/gpt2"_qs);
        QVERIFY(!session::open(first).state->model->relativeToFile);
    }

    // The largest seed the window's box holds survives; a larger one (the window once
    // showed 2147483647 for 3000000000 and saved that) is refused, saying the range.
    void theLargestSeedSurvivesAndALargerOneIsRefused()
    {
        SessionState state = sampleState();
        state.config.seed = attn::Limits::maxSeed;
        const SessionResult opened = session::fromJson(session::toJson(state));
        QVERIFY2(opened.ok(), qPrintable(opened.error));
        QCOMPARE(opened.state->config.seed, state.config.seed);
        for (const QJsonValue& seed : {QJsonValue(3000000000.0), QJsonValue(u"18446744073709551557"_qs)}) {
            const SessionResult refused = session::fromJson(sampleWith(u"config.seed"_qs, seed));
            QVERIFY(!refused.ok());
            QVERIFY2(refused.error.contains(u"it must be between 0 and 2147483647"_qs), qPrintable(refused.error));
        }
    }

    // A float setting is written as the decimal it reads as (0.2), and reads back the same.
    // Half of a UTF-16 pair, which JSON may escape, became "?" in the text as run: it is
    // read as U+FFFD, as a stray byte of --text is; a whole pair stays the emoji it is.
    void aLoneSurrogateInTheTextIsReadAsTheReplacementCharacter()
    {
        QByteArray json = session::toJson(sampleState());
        const QByteArray text = QJsonDocument::fromJson(json).object().value(u"text"_qs).toString().toUtf8();
        json.replace(QByteArray("\"" + text + "\""), QByteArray("\"The \\ud800 cat \\ud83d\\ude00\""));
        const SessionResult opened = session::fromJson(json);
        QVERIFY2(opened.ok(), qPrintable(opened.error));
        QCOMPARE(opened.state->text, u"The \uFFFD cat 😀"_qs);
    }

    // Tokens pinned together (Ctrl+click in Token links) come back together: only the
    // selected one was kept.
    void everyPinnedTokenSurvivesTheFile()
    {
        SessionState state = sampleState();
        state.query = 2;
        state.alsoPinned = {0, 3};
        const SessionResult opened = session::fromJson(session::toJson(state));
        QVERIFY2(opened.ok(), qPrintable(opened.error));
        QCOMPARE(opened.state->alsoPinned, (QList<int>{0, 3}));
        QCOMPARE(opened.state->pinnedQueries(), (QList<int>{0, 3, 2}));
        QVERIFY(*opened.state == state);
        state.alsoPinned = {0, 0, 2};
        QCOMPARE(state.pinnedQueries(), (QList<int>{0, 2})); // once each, the selected one last
        // A file of before keeps its one selection.
        QCOMPARE(session::fromJson(sampleWith(u"selection.alsoPinned"_qs, QJsonValue(QJsonValue::Undefined)))
                     .state->alsoPinned,
                 QList<int>());
    }

    void temperaturesAreWrittenAsTheirShortestDecimal()
    {
        SessionState state = sampleState();
        state.config.temperature = 0.2f;
        const QByteArray json = session::toJson(state);
        QVERIFY2(json.contains("\"temperature\": 0.2") && !json.contains("0.2000"), json.constData());
        QCOMPARE(session::fromJson(json).state->config.temperature, 0.2f);
    }

    void badFilesAreRefusedWithAMessage_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("mentions");
        const QByteArray good = session::toJson(sampleState());
        QTest::newRow("empty file") << QByteArray() << u"not valid JSON"_qs;
        QTest::newRow("truncated") << good.left(good.size() / 2) << u"not valid JSON"_qs;
        QTest::newRow("not an object") << QByteArray("[1, 2, 3]") << u"one JSON object"_qs;
        QTest::newRow("foreign format") << sampleWith(u"format"_qs, u"something-else"_qs) << u"not an Attention Explorer session"_qs;
        QTest::newRow("newer version") << sampleWith(u"version"_qs, 2) << u"version 2"_qs;
        QTest::newRow("version as text") << sampleWith(u"version"_qs, u"1"_qs) << u"version"_qs;
        QTest::newRow("text missing") << sampleWith(u"text"_qs, QJsonValue(QJsonValue::Undefined)) << u"text"_qs;
        QTest::newRow("text is a number") << sampleWith(u"text"_qs, 5) << u"text"_qs;
        QTest::newRow("source is a list") << sampleWith(u"sourceText"_qs, QJsonArray{1}) << u"sourceText"_qs;
        QTest::newRow("config missing") << sampleWith(u"config"_qs, QJsonValue(QJsonValue::Undefined)) << u"config"_qs;
        QTest::newRow("heads zero") << sampleWith(u"config.heads"_qs, 0) << u"heads"_qs;
        QTest::newRow("heads too many") << sampleWith(u"config.heads"_qs, 65) << u"heads"_qs;
        QTest::newRow("heads fractional") << sampleWith(u"config.heads"_qs, 2.5)
                                          << u"“config.heads” must be a whole number, not 2.5."_qs;
        QTest::newRow("heads past int") << sampleWith(u"config.heads"_qs, 1e300)
                                        << u"“config.heads” must be a whole number of at most ten digits, not 1e+300."_qs;
        QTest::newRow("heads as text") << sampleWith(u"config.heads"_qs, u"4"_qs) << u"config.heads"_qs;
        QTest::newRow("d_k too large") << sampleWith(u"config.d_k"_qs, 5000) << u"d_k"_qs;
        QTest::newRow("d_v negative") << sampleWith(u"config.d_v"_qs, -3) << u"d_v"_qs;
        QTest::newRow("d_model missing") << sampleWith(u"config.d_model"_qs, QJsonValue(QJsonValue::Undefined)) << u"config.d_model"_qs;
        QTest::newRow("seed negative") << sampleWith(u"config.seed"_qs, -1) << u"config.seed"_qs;
        QTest::newRow("seed not digits") << sampleWith(u"config.seed"_qs, u"forty-two"_qs) << u"config.seed"_qs;
        QTest::newRow("causal as text") << sampleWith(u"config.causal"_qs, u"yes"_qs) << u"config.causal"_qs;
        QTest::newRow("scaling unknown") << sampleWith(u"config.scaling"_qs, u"cube-root"_qs) << u"scaling"_qs;
        QTest::newRow("temperature zero") << sampleWith(u"config.temperature"_qs, 0.0) << u"temperature"_qs;
        QTest::newRow("pins that are no tokens") << sampleWith(u"selection.alsoPinned"_qs, QJsonArray{1, -2})
                                                 << u"“selection.alsoPinned” must list token numbers from 0, not -2."_qs;
        QTest::newRow("pins that are no list") << sampleWith(u"selection.alsoPinned"_qs, 3)
                                               << u"“selection.alsoPinned” must be a list of token numbers"_qs;
        QTest::newRow("temperature past float") << sampleWith(u"config.temperature"_qs, 1e300)
                                                << u"config: temperature is 1e+300; it must be between 0.001 and 1000."_qs;
        QTest::newRow("positional unknown") << sampleWith(u"config.positional"_qs, u"learned"_qs) << u"positional"_qs;
        QTest::newRow("bias as number") << sampleWith(u"config.bias"_qs, 1) << u"config.bias"_qs;
        QTest::newRow("backend unknown") << sampleWith(u"backend"_qs, u"cuda"_qs) << u"backend"_qs;
        QTest::newRow("view unknown") << sampleWith(u"view"_qs, u"sankey"_qs) << u"sankey"_qs;
        QTest::newRow("head beyond heads") << sampleWith(u"selection.head"_qs, 3) << u"selection.head"_qs;
        QTest::newRow("query below -1") << sampleWith(u"selection.query"_qs, -2) << u"selection.query"_qs;
        QTest::newRow("colour map unknown") << sampleWith(u"colorMap"_qs, u"jet"_qs) << u"jet"_qs;
        QTest::newRow("colour scale unknown") << sampleWith(u"colorScale"_qs, u"log"_qs) << u"the colour scale “log” is unknown"_qs;
        QTest::newRow("keepShare zero") << sampleWith(u"filter.keepShare"_qs, 0.0) << u"keepShare"_qs;
        QTest::newRow("keepShare above one") << sampleWith(u"filter.keepShare"_qs, 1.5) << u"keepShare"_qs;
        QTest::newRow("hideFirst as number") << sampleWith(u"filter.hideFirst"_qs, 0) << u"filter.hideFirst"_qs;
    }

    void badFilesAreRefusedWithAMessage()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, mentions);
        const SessionResult result = session::fromJson(json, {u"heads"_qs, u"head"_qs, u"links"_qs, u"steps"_qs});
        QVERIFY(!result.ok());
        QVERIFY2(result.error.contains(mentions), qPrintable(result.error));
    }

    void unreadableFileIsRefused()
    {
        const SessionResult result = session::open(u"/nonexistent/folder/session.json"_qs);
        QVERIFY(!result.ok());
        QVERIFY(result.error.contains(u"Could not open"_qs));
    }

    // A device (/dev/zero has no end: it was read until memory ran out) or a pipe (it
    // blocked the window) is refused without reading, as is a folder.
    void aDeviceOrAFolderIsRefusedWithoutReadingIt()
    {
        for (const auto& [path, kind] : {std::pair{u"/dev/null"_qs, u"a device or a pipe"_qs}, {u"/tmp"_qs, u"a folder"_qs}}) {
            const SessionResult result = session::open(path);
            QVERIFY(!result.ok());
            QVERIFY2(result.error.contains(u"is not a file but "_qs + kind), qPrintable(result.error));
        }
    }

    // A session is a few hundred bytes: a file past 16 MiB is refused unread.
    void aFilePastSixteenMebibytesIsRefused()
    {
        QTemporaryDir dir;
        QFile large(dir.filePath(u"large.json"_qs));
        QVERIFY(large.open(QIODevice::WriteOnly) && large.resize((16 << 20) + 1)); // sparse: no disk used
        large.close();
        const SessionResult result = session::open(large.fileName());
        QVERIFY(!result.ok());
        QVERIFY2(result.error.contains(u"too large to be a session file (over 16 MiB)"_qs), qPrintable(result.error));
    }

    void anEmptyFileIsSaidToBeEmpty()
    {
        QTemporaryDir dir;
        QFile empty(dir.filePath(u"empty.json"_qs));
        QVERIFY(empty.open(QIODevice::WriteOnly));
        empty.close();
        const SessionResult result = session::open(empty.fileName());
        QVERIFY(!result.ok());
        QVERIFY2(result.error.contains(u"empty.json is empty"_qs), qPrintable(result.error));
    }

    void saveToAnUnwritablePlaceSaysWhy()
    {
        QString error;
        QVERIFY(!session::save(u"/nonexistent/folder/session.json"_qs, sampleState(), &error));
        QVERIFY(error.contains(u"Could not save"_qs));
    }

    // A save cut short (the file cut at 100 bytes, as a full disk cuts it) says the system's
    // reason, not "Unknown error", and the earlier file stays as it was.
    void aSaveCutShortSaysWhyAndKeepsTheEarlierFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"lesson.json"_qs);
        QString error;
        QVERIFY2(session::save(path, sampleState(), &error), qPrintable(error));
        const QByteArray earlier = session::toJson(sampleState());

        SessionState changed = sampleState();
        changed.text = u"a text that is not saved"_qs;
        QVERIFY(!withFilesCutAt(100, [&] { return session::save(path, changed, &error); }));
        QCOMPARE(error, u"Could not save the session to "_qs + path
                            + u": File too large. Save it in a folder you may write to, on a disk with room."_qs);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), earlier);
    }

    void examplesFileHoldsTheClassroomSentences()
    {
        const ExamplesResult result = examples::load(QStringLiteral(ATTN_RESOURCES_DIR "/examples.json"));
        QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
        QStringList texts;
        bool cross = false;
        for (const Example& example : result.examples) {
            QVERIFY(!example.title.isEmpty());
            texts << example.text;
            cross = cross || example.sourceText.has_value();
        }
        QVERIFY(texts.contains(u"The cat that chased the mouse under the old wooden table was tired."_qs));
        QVERIFY(texts.contains(u"I love you"_qs));
        QVERIFY(texts.contains(u"The trophy didn't fit in the suitcase because it was too big."_qs));
        QVERIFY(texts.contains(u"The keys to the old wooden cabinet are on the table."_qs));
        QVERIFY(texts.contains(u"the cat sat on the mat the cat sat on the mat"_qs));
        QVERIFY(cross);
        QVERIFY(!examples::fromJson("{\"examples\": [{\"title\": 3}]}").error.isEmpty());
        QVERIFY(!examples::fromJson("nope").error.isEmpty());
    }

    // At thousands of tokens every share is small: a column of 0.000 told nothing.
    void headStatsTableShowsSmallSharesInFigures()
    {
        attn::HeadStats stats;
        stats.head = 0;
        stats.selfShare = 2.04e-4;
        stats.previousShare = 0.0;
        stats.firstShare = 0.5;
        stats.meanLargest = 5.4e-4; // three decimals said 0.001
        HeadStatsModel model;
        model.setStats(std::make_shared<const std::vector<attn::HeadStats>>(1, stats));
        const auto shown = [&](int column) { return model.index(0, column).data().toString(); };
        QCOMPARE(shown(HeadStatsModel::Self), u"2.0e−4"_qs);
        QCOMPARE(shown(HeadStatsModel::Previous), u"0.000"_qs);
        QCOMPARE(shown(HeadStatsModel::First), u"0.500"_qs);
        QCOMPARE(shown(HeadStatsModel::MeanLargest), u"5.4e−4"_qs);
        stats.largest = 0.99996; // three decimals said 1.000
        model.setStats(std::make_shared<const std::vector<attn::HeadStats>>(1, stats));
        QCOMPARE(shown(HeadStatsModel::Largest), u"1 − 4.0e−5"_qs);
    }

    void headStatsTableSortsByValue()
    {
        SessionState state = sampleState();
        state.config.causal = false;
        const auto trace = traceOf(state);
        HeadStatsModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setStats(headStatsOf(trace.get()));
        QCOMPARE(model.rowCount(), state.config.heads);
        QCOMPARE(model.columnCount(), int(HeadStatsModel::ColumnCount));

        QSortFilterProxyModel proxy;
        QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setSourceModel(&model);
        proxy.setSortRole(HeadStatsModel::SortRole);
        proxy.sort(HeadStatsModel::Entropy, Qt::DescendingOrder);
        for (int row = 1; row < proxy.rowCount(); ++row)
            QVERIFY(proxy.index(row - 1, HeadStatsModel::Entropy).data(HeadStatsModel::SortRole).toDouble()
                    >= proxy.index(row, HeadStatsModel::Entropy).data(HeadStatsModel::SortRole).toDouble());
        // Sorting follows the numbers the engine computed.
        const std::vector<attn::HeadStats> stats = attn::headStats(*trace);
        const int top = proxy.index(0, HeadStatsModel::Head).data(HeadStatsModel::SortRole).toInt() - 1;
        for (const attn::HeadStats& s : stats)
            QVERIFY(stats[std::size_t(top)].entropy >= s.entropy);

        model.setStats(headStatsOf(nullptr));
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestSession)
#include "test_session.moc"
