// The command line with --model: --dump writes every layer's weights equal to the engine's
// own trace, --export draws the Model, Rollout and sandbox views of a layer, and bad
// arguments are refused with a message that says what to do.
#include "../app/gui_test_main.h"
#include "model_gui_util.h"

#include "model/model_command_line.h"
#include "window/settings.h"

#include <attn/model/model_session.h>
#include <attn/npy.h>

#include <QFile>
#include <QTemporaryDir>
#include <QXmlStreamReader>

using namespace modelgui;

class TestModelCommand : public QObject {
    Q_OBJECT

private slots:
    void dumpWritesEveryLayerAsTheEngineComputesIt()
    {
        QTemporaryDir dir;
        ModelCommand command;
        command.folder = fixtureModel("gpt2-tiny");
        command.text = u"the model reads the text"_qs;
        command.dumpDir = dir.filePath(u"dump"_qs);
        QString messages;
        QTextStream err(&messages);
        QCOMPARE(runModelCommand(command, err), 0);
        const auto trace = attn::runModel(attn::Model::load(command.folder.toStdString()), command.text.toStdString());
        const attn::Tensor weights = attn::readNpy(dir.filePath(u"dump/weights.npy"_qs).toStdString());
        const std::size_t n = trace->tokenCount(), h = std::size_t(trace->config.heads);
        QCOMPARE(weights.shape, (std::vector<std::size_t>{trace->layerCount(), h, n, n}));
        for (std::size_t l = 0; l < trace->layerCount(); ++l)
            for (std::size_t i = 0; i < h * n * n; ++i)
                QVERIFY2(std::abs(weights.data[l * h * n * n + i] - trace->layers[l].weights.data[i]) <= 1e-6f,
                         qPrintable(u"layer "_qs + QString::number(l) + u" index "_qs + QString::number(i)));
        QCOMPARE(attn::readNpy(dir.filePath(u"dump/hidden.npy"_qs).toStdString()).shape, trace->hidden.shape);
    }

    void exportDrawsTheChosenView_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("view");
        QTest::addColumn<int>("layer");
        QTest::addColumn<QString>("title"); // how the figure's title line ends
        QTest::newRow("gpt2 model") << u"gpt2-tiny"_qs << u"model"_qs << -1 << u"· all layers and heads"_qs;
        QTest::newRow("gpt2 rollout") << u"gpt2-tiny"_qs << u"rollout"_qs << 0 << u"· attention rollout"_qs;
        QTest::newRow("gpt2 next") << u"gpt2-tiny"_qs << u"next"_qs << -1 << u"· next token"_qs;
        QTest::newRow("gpt2 heads of layer 2") << u"gpt2-tiny"_qs << u"heads"_qs << 1
                                               << u"layer 2 of gpt2-tiny · 4 heads · dₖ = 8 · causal · all heads"_qs;
        QTest::newRow("bert model") << u"bert-tiny"_qs << u"model"_qs << -1 << u"· all layers and heads"_qs;
        QTest::newRow("bert head:4 of layer 2") << u"bert-tiny"_qs << u"head:4"_qs << 1 << u"· head 4"_qs;
    }
    // The figure is the view asked for, as its title says: a PNG of some size, and the
    // same figure's SVG, whose text can be read.
    void exportDrawsTheChosenView()
    {
        QFETCH(QString, model);
        QFETCH(QString, view);
        QFETCH(int, layer);
        QFETCH(QString, title);
        QTemporaryDir dir;
        ModelCommand command;
        command.folder = fixtureModel(model.toUtf8().constData());
        command.text = u"The cat sat on the mat because it was tired."_qs;
        command.view = view;
        command.layer = layer;
        QString messages;
        QTextStream err(&messages);
        command.exportPath = dir.filePath(u"figure.png"_qs);
        QCOMPARE(runModelCommand(command, err), 0);
        const QImage image(command.exportPath);
        QVERIFY(!image.isNull());
        QVERIFY(image.width() >= 300 && image.height() >= 200);
        command.exportPath = dir.filePath(u"figure.svg"_qs);
        QCOMPARE(runModelCommand(command, err), 0);
        QCOMPARE(messages, QString());
        QFile svg(command.exportPath);
        QVERIFY(svg.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&svg);
        // The title: one line, or on a narrow page (the grid's) the sentence and then the facts.
        QStringList firstLines;
        while (!xml.atEnd() && firstLines.size() < 2)
            if (xml.readNext() == QXmlStreamReader::StartElement && xml.name() == u"text")
                firstLines << xml.readElementText(QXmlStreamReader::IncludeChildElements).simplified();
        const QString titleText = firstLines.join(u' ');
        QVERIFY2(titleText.contains(title), qPrintable(titleText));
    }

    // Nobody selected a head in a script's figure of the grid: no frame, no "Selected".
    void aScriptsGridFigureSelectsNoHead()
    {
        QTemporaryDir dir;
        ModelCommand command;
        command.folder = fixtureModel("gpt2-tiny");
        command.text = u"The cat sat on the mat."_qs;
        command.exportPath = dir.filePath(u"grid.svg"_qs);
        command.view = u"model"_qs;
        QString messages;
        QTextStream err(&messages);
        QCOMPARE(runModelCommand(command, err), 0);
        QFile file(command.exportPath);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray svg = file.readAll();
        QVERIFY(svg.contains("thumbnail"));
        QVERIFY(!svg.contains("Selected"));
    }

    void badArgumentsAreRefusedWithAReason_data()
    {
        QTest::addColumn<QString>("folder");
        QTest::addColumn<QString>("view");
        QTest::addColumn<int>("layer");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("no such view") << u"gpt2-tiny"_qs << u"sideways"_qs << -1 << 2 << u"rollout"_qs;
        QTest::newRow("layer past the model") << u"gpt2-tiny"_qs << u"model"_qs << 2 << 2 << u"use 1 to 2"_qs;
        QTest::newRow("head past the model") << u"gpt2-tiny"_qs << u"head:5"_qs << 0 << 2 << u"head:1 to head:4"_qs;
        // A folder that cannot be used is an input refused, as a layer file's is.
        QTest::newRow("no such folder") << u"no-such-model"_qs << u"model"_qs << -1 << 2 << u"no-such-model"_qs;
    }
    void badArgumentsAreRefusedWithAReason()
    {
        QFETCH(QString, folder);
        QFETCH(QString, view);
        QFETCH(int, layer);
        QFETCH(int, code);
        QFETCH(QString, mentions);
        QTemporaryDir dir;
        ModelCommand command;
        command.folder = fixtureModel(folder.toUtf8().constData());
        command.text = u"The cat sat on the mat because it was tired."_qs;
        command.exportPath = dir.filePath(u"figure.png"_qs);
        command.view = view;
        command.layer = layer;
        QString messages;
        QTextStream err(&messages);
        QCOMPARE(runModelCommand(command, err), code);
        QVERIFY2(messages.contains(mentions), qPrintable(messages));
        QVERIFY(!QFile::exists(command.exportPath));
    }

    // A model's malformed file once exited 1, a layer file's 2: a script told the two apart.
    // A text longer than the model reads is refused as given too, as the sandbox's too-long
    // text is; it exited 1, as a failure while computing does.
    void aModelOrTextThatCannotBeUsedIsRefusedAsGiven_data()
    {
        QTest::addColumn<bool>("malformed");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("malformed model") << true << u"The cat sat."_qs << u"config.json"_qs;
        QTest::newRow("text past the model's positions") << false << QStringList(100, u"cat"_qs).join(u' ')
                                                          << u"reads at most 64; shorten the text"_qs;
    }
    void aModelOrTextThatCannotBeUsedIsRefusedAsGiven()
    {
        QFETCH(bool, malformed);
        QFETCH(QString, text);
        QFETCH(QString, mentions);
        QTemporaryDir dir;
        ModelCommand command;
        command.folder = malformed ? makeMalformedModel(dir) : fixtureModel("gpt2-tiny");
        command.text = text;
        command.dumpDir = dir.filePath(u"dump"_qs);
        QString messages;
        QTextStream err(&messages);
        QCOMPARE(runModelCommand(command, err), 2);
        QVERIFY2(messages.contains(mentions), qPrintable(messages));
        QVERIFY(!QFile::exists(command.dumpDir));
    }

    void layerArgumentCountsFromOne()
    {
        QString error;
        QCOMPARE(parseLayerArgument(u"3"_qs, &error), 2);
        QVERIFY(error.isEmpty());
        QCOMPARE(parseLayerArgument(u"0"_qs, &error), -1);
        QVERIFY(error.contains(u"from 1"_qs));
    }
};

ATTN_GUI_TEST_MAIN(TestModelCommand)
#include "test_model_command.moc"
