// The window's model mode without the window: opening a model runs the current text, a
// click on the grid selects the layer and head everywhere, a malformed folder leaves the
// open model and its result alone and reports the engine's message, Back to sandbox
// forgets the model.
#include "../app/gui_test_main.h"
#include "model_gui_util.h"

#include "model/model_grid_panel.h"
#include "model/model_mode.h"
#include "views/model_view_widget.h"

#include <attn/error.h>

#include <QComboBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>

using namespace modelgui;

// Opens gpt2-tiny in mode on a short text; true once its first result came (results watches
// ModelMode::resultChanged).
bool openGpt2TinyOnAText(ModelMode& mode, QSignalSpy& results)
{
    mode.setText(u"the model reads the text"_qs);
    mode.open(fixtureModel("gpt2-tiny"));
    return results.wait(10000);
}

class TestModelMode : public QObject {
    Q_OBJECT

private slots:
    void openingRunsTheTextOnEveryLayer_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<int>("layers");
        QTest::newRow("gpt2-tiny") << u"gpt2-tiny"_qs << 2;
        QTest::newRow("bert-tiny") << u"bert-tiny"_qs << 2;
    }
    void openingRunsTheTextOnEveryLayer()
    {
        QFETCH(QString, model);
        QFETCH(int, layers);
        ModelMode mode;
        QSignalSpy opened(&mode, &ModelMode::opened);
        QSignalSpy results(&mode, &ModelMode::resultChanged);
        mode.setText(u"the quick brown fox"_qs);
        mode.open(fixtureModel(model.toUtf8().constData()));
        QVERIFY(results.wait(10000));
        QCOMPARE(opened.count(), 1);
        QVERIFY(mode.isActive());
        QVERIFY(opened.front().at(0).toString().startsWith(model));
        QCOMPARE(mode.result()->layers(), layers);
        QCOMPARE(mode.gridPanel()->grid()->result(), mode.result());
        QCOMPARE(mode.layerSpin()->maximum(), layers);
        const attn::ModelConfig& config = mode.model()->config();
        QCOMPARE(mode.controlsNote(), u"set by the model ("_qs + QString::number(config.heads) + u" heads, dₖ "_qs
                                          + QString::number(config.d_k()) + u", d_model "_qs
                                          + QString::number(config.d_model) + u")"_qs);
        QVERIFY(mode.isIdle());
    }

    // The search chosen in the Model tab stays chosen across Back to sandbox, and applies to
    // the model opened next: its box kept the choice, and the grid ignored it.
    void aHeadSearchAppliesToTheNextModelOpened()
    {
        ModelMode mode;
        QSignalSpy results(&mode, &ModelMode::resultChanged);
        QVERIFY(openGpt2TinyOnAText(mode, results));
        QComboBox* box = mode.gridPanel()->searchBox();
        box->setCurrentIndex(box->findData(int(HeadSearch::Self)));
        QCOMPARE(mode.focus().search, HeadSearch::Self);
        mode.close();
        QCOMPARE(mode.gridPanel()->search(), HeadSearch::Self);
        mode.open(fixtureModel("gpt2-tiny"));
        QVERIFY(results.wait(10000));
        QCOMPARE(mode.focus().search, HeadSearch::Self);
        QCOMPARE(mode.gridPanel()->grid()->modelFocus().search, HeadSearch::Self);
    }

    void clickingAThumbnailSelectsThatLayersTrace()
    {
        ModelMode mode;
        QSignalSpy results(&mode, &ModelMode::resultChanged);
        QVERIFY(openGpt2TinyOnAText(mode, results));
        ModelGridPanel* panel = mode.gridPanel();
        panel->resize(900, 700);
        panel->show();
        QVERIFY(QTest::qWaitForWindowExposed(panel));
        QSignalSpy selected(&mode, &ModelMode::selectionChanged);
        QTest::mouseClick(panel->grid(), Qt::LeftButton, Qt::NoModifier, panel->grid()->thumbnailCenter(1, 3).toPoint());
        QCOMPARE(selected.count(), 1);
        QCOMPARE(mode.focus().layer, 1);
        QCOMPARE(mode.focus().head, 3);
        QCOMPARE(mode.layerSpin()->value(), 2);
        QCOMPARE(mode.rolloutView()->modelFocus().layer, 1);
        // The sandbox views get the second layer's own trace.
        QCOMPARE(mode.selectedLayerTrace().get(), &mode.result()->trace->layers[1]);
        mode.layerSpin()->setValue(1);
        QCOMPARE(mode.focus().layer, 0);
        QCOMPARE(mode.selectedLayerTrace().get(), &mode.result()->trace->layers[0]);
    }

    void malformedFolderKeepsTheOpenModel()
    {
        QTemporaryDir dir;
        const QString bad = makeMalformedModel(dir);
        const QString engineMessage = engineLoadMessage(bad);
        ModelMode mode;
        QSignalSpy results(&mode, &ModelMode::resultChanged);
        QSignalSpy failed(&mode, &ModelMode::openFailed);
        mode.setText(u"quick brown fox"_qs);
        mode.open(fixtureModel("bert-tiny"));
        QVERIFY(results.wait(10000));
        const ModelResultPtr before = mode.result();
        mode.open(bad);
        QVERIFY(failed.wait(10000));
        QCOMPARE(failed.front().at(0).toString(), engineMessage);
        QVERIFY(mode.isActive());
        QCOMPARE(mode.model()->name(), std::string("bert-tiny"));
        QCOMPARE(mode.result(), before);
        QVERIFY(mode.isIdle());
    }

    void backToSandboxForgetsTheModel()
    {
        ModelMode mode;
        QSignalSpy results(&mode, &ModelMode::resultChanged);
        QSignalSpy closed(&mode, &ModelMode::closed);
        mode.setText(u"hello"_qs);
        mode.open(fixtureModel("gpt2-tiny"));
        QVERIFY(results.wait(10000));
        mode.backButton()->click();
        QCOMPARE(closed.count(), 1);
        QVERIFY(!mode.isActive());
        QVERIFY(!mode.result());
        QVERIFY(!mode.selectedLayerTrace());
        QVERIFY(mode.controlsNote().isEmpty());
        mode.setText(u"hello again"_qs); // nothing to run: no result arrives
        QVERIFY(!results.wait(300));
    }
};

ATTN_GUI_TEST_MAIN(TestModelMode)
#include "test_model_mode.moc"
