// The window in model mode, as a user drives it: File → Open model (through the window's
// method), the controls the model fixes disabled with the note, the layer bar and a grid
// click choosing what the sandbox views show, typing going to the model, a malformed
// folder's message in the window, sessions that remember the model, and the real
// executable with --model.
#include "../app/gui_test_main.h"
#include "../app/run_explorer.h"
#include "../app/window_fixture.h"
#include "model_gui_util.h"

#include "model/model_export.h"
#include "session/session.h"
#include "model/model_grid_panel.h"
#include "model/model_mode.h"
#include "views/head_stats_model.h"
#include "views/model_view_widget.h"
#include "views/view_widget.h"
#include "window/control_panel.h"
#include "window/main_window.h"

#include <attn/error.h>
#include <attn/model/model_session.h>
#include <attn/npy.h>

#include <QApplication>
#include <QCheckBox>
#include <QDialog>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTextCursor>

#include <chrono>
#include <memory>
#include <thread>

using namespace modelgui;

class TestModelWindow : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<MainWindow> m_window;
    Settings m_settings;

    ModelMode* mode() const { return m_window->modelMode(); }
    QWidget* control(const char* name) const
    {
        return m_window->controls()->findChild<QWidget*>(QString::fromLatin1(name));
    }
    // Waits until the newest text has been answered by the open model.
    bool settleModel() const
    {
        return QTest::qWaitFor([this] { return m_window->isIdle() && mode()->isActive() && mode()->result(); }, 20000);
    }
    bool settleSandbox() const
    {
        return QTest::qWaitFor([this] { return m_window->isIdle() && !mode()->isActive() && m_window->trace(); }, 20000);
    }
    // gpt2-tiny open in the window, its first result shown, on a layer and head (from 0).
    bool openGpt2Tiny(int layer = 0, int head = 0) const
    {
        m_window->openModel(fixtureModel("gpt2-tiny"));
        if (!settleModel())
            return false;
        mode()->selectHead(layer, head);
        return true;
    }

private slots:
    void init()
    {
        m_settings = Settings();
        m_settings.text = u"The cat sat on the mat."_qs;
        m_settings.config.heads = 3; // unlike both models, so a mix-up shows
        m_settings.config.d_k = 5;
        m_settings.config.d_model = 12;
        m_window = std::make_unique<MainWindow>(m_settings);
        m_window->resize(1200, 800);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        QVERIFY(settleSandbox());
    }
    void cleanup() { m_window.reset(); }

    void openingShowsTheModelsTabsAndTheSelectedLayer_data()
    {
        QTest::addColumn<QString>("model");
        QTest::newRow("gpt2-tiny") << u"gpt2-tiny"_qs;
        QTest::newRow("bert-tiny") << u"bert-tiny"_qs;
    }
    void openingShowsTheModelsTabsAndTheSelectedLayer()
    {
        QFETCH(QString, model);
        QSignalSpy opened(mode(), &ModelMode::opened);
        m_window->openModel(fixtureModel(model.toUtf8().constData()));
        QVERIFY(settleModel());
        QCOMPARE(opened.count(), 1);
        for (const ModelViewKind& kind : modelViewKinds())
            QVERIFY2(m_window->modelTab(kind.id), qPrintable(kind.name));
        QCOMPARE(m_window->currentModelView(), std::optional<ModelViewId>(ModelViewId::Grid));
        QVERIFY(mode()->layerBar()->isVisible());
        QVERIFY(m_window->statusBar()->currentMessage().contains(mode()->description()));
        // Every sandbox view and the dock show layer 1 of the model's trace, not a copy.
        const attn::Trace* first = &mode()->result()->trace->layers[0];
        QCOMPARE(m_window->trace().get(), first);
        for (ViewId id : {ViewId::Heads, ViewId::HeadDetail, ViewId::TokenLinks, ViewId::Steps})
            QCOMPARE(m_window->view(id)->trace().get(), first);
        QCOMPARE(m_window->headStatsTable()->model()->rowCount(), mode()->model()->config().heads);
        // The sandbox views' titles name the layer after the quoted text; the model's own
        // views name the model in their facts, and no layer.
        QCOMPARE(m_window->view(ViewId::Heads)->options().look.note,
                 u"layer 1 of "_qs + QString::fromStdString(mode()->result()->trace->modelName));
        QVERIFY(mode()->gridPanel()->grid()->options().look.note.isEmpty());
        // The model's own text and tokens: the tokens are the model tokenizer's.
        QCOMPARE(mode()->resultText(), m_settings.text);
        QCOMPARE(first->tokens.size(), mode()->result()->trace->tokens.size());
    }

    void theModelsControlsAreDisabledWithTheNoteUntilBackToSandbox()
    {
        QVERIFY(openGpt2Tiny());
        const attn::ModelConfig& config = mode()->model()->config();
        auto* note = m_window->controls()->findChild<QLabel*>(u"layerNote"_qs);
        QVERIFY(note && note->isVisible());
        QCOMPARE(note->text(), mode()->controlsNote());
        for (const char* name : {"heads", "dk", "dv", "dmodel", "seed", "causal", "scaled"})
            QVERIFY2(!control(name)->isEnabled(), name);
        QVERIFY(control("text")->isEnabled());
        // The disabled boxes show the model's shape; the sandbox's settings wait.
        QCOMPARE(qobject_cast<QSpinBox*>(control("heads"))->value(), config.heads);
        QCOMPARE(qobject_cast<QSpinBox*>(control("dk"))->value(), config.d_k());
        QCOMPARE(qobject_cast<QSpinBox*>(control("dmodel"))->value(), config.d_model);
        QCOMPARE(qobject_cast<QCheckBox*>(control("causal"))->isChecked(), config.causal());
        QCOMPARE(m_window->controls()->config(), m_settings.config);
        // F1 says so of their Alt letters too: they were listed as if they went somewhere.
        QVERIFY(keysHelpText(*m_window).contains(u"go to Key size dₖ (not now)"_qs));
        m_window->findChild<QDialog*>(u"shortcuts"_qs)->close();

        mode()->backButton()->click();
        QVERIFY(settleSandbox());
        QVERIFY(!note->isVisible());
        for (const char* name : {"heads", "dk", "dv", "dmodel", "seed", "causal", "scaled"})
            QVERIFY2(control(name)->isEnabled(), name);
        QCOMPARE(qobject_cast<QSpinBox*>(control("heads"))->value(), m_settings.config.heads);
        QCOMPARE(m_window->controls()->config(), m_settings.config);
        QVERIFY(!m_window->modelTab(ModelViewId::Grid));
        QVERIFY(!mode()->layerBar()->isVisible());
        // The sandbox recomputed with its own settings.
        QCOMPARE(m_window->trace()->config.heads, m_settings.config.heads);
        QCOMPARE(m_window->trace()->config.d_k, m_settings.config.d_k);
    }

    // Back to sandbox while the model was still loading: the load, once finished, opened the
    // model anyway, with no result ever to come (the window never idle again).
    void goingBackWhileAModelOpensStaysInTheSandbox()
    {
        m_window->openModel(fixtureModel("gpt2-tiny"));
        // The UI thread is held while the worker loads and posts "opened", as when a user
        // goes back during a large model's load.
        std::this_thread::sleep_for(std::chrono::seconds(1));
        m_window->closeModel();
        QVERIFY(settleSandbox());
        QTest::qWait(300); // any late answer from the worker is delivered by now
        QVERIFY(!mode()->isActive());
        QVERIFY(!m_window->modelTab(ModelViewId::Grid));
        QVERIFY(m_window->isIdle());
        // And a model opened afterwards opens as usual.
        QVERIFY(openGpt2Tiny());
    }

    // Back in the sandbox, settings it cannot run once left the model's layer on show as
    // the sandbox's "last result that worked".
    void aSandboxThatCannotRunAfterAModelShowsNothingOfTheModel()
    {
        QVERIFY(openGpt2Tiny());
        attn::Config huge = m_window->controls()->config();
        huge.heads = 64;
        huge.d_k = 1024;
        huge.d_model = 8192; // weights alone would need 8 GiB
        m_window->controls()->setInputs(m_window->controls()->text(), huge); // the sandbox's, kept
        m_window->closeModel();
        QVERIFY(QTest::qWaitFor([this] { return m_window->isIdle() && !mode()->isActive(); }, 20000));
        QVERIFY2(m_window->errorText().contains(u"memory"_qs), qPrintable(m_window->errorText()));
        QVERIFY2(!m_window->errorText().contains(u"last result"_qs), qPrintable(m_window->errorText()));
        QCOMPARE(m_window->trace(), nullptr);
    }

    void aMalformedFolderShowsTheEnginesMessageInTheWindow()
    {
        QTemporaryDir dir;
        const QString bad = makeMalformedModel(dir);
        const QString engineMessage = engineLoadMessage(bad);
        QVERIFY(!engineMessage.isEmpty());
        const TracePtr before = m_window->trace();
        QSignalSpy shown(m_window.get(), &MainWindow::errorShown);
        m_window->openModel(bad);
        QVERIFY(shown.wait(10000));
        QCOMPARE(shown.front().at(0).toString(), engineMessage);
        QVERIFY(m_window->errorText().startsWith(engineMessage));
        QVERIFY(!mode()->isActive());
        QVERIFY(control("heads")->isEnabled());
        QCOMPARE(m_window->trace(), before);
        QVERIFY(!m_window->modelTab(ModelViewId::Grid));
        // The sandbox still answers edits, and its result does not hide why the model is not open.
        QTest::keyClicks(m_window->controls()->textEdit(), u" Then it slept."_qs);
        QVERIFY(settleSandbox());
        QVERIFY(m_window->trace() != before);
        QVERIFY(m_window->errorText().startsWith(engineMessage));
    }

    // With a model open, why another did not open is said until the next edit: it stayed
    // for good, through edits, layers and clicks.
    void aFailedOpenBesideAnOpenModelIsSaidUntilTheNextEdit()
    {
        QVERIFY(openGpt2Tiny());
        QTemporaryDir dir;
        QSignalSpy shown(m_window.get(), &MainWindow::errorShown);
        m_window->openModel(makeMalformedModel(dir));
        QVERIFY(shown.wait(10000));
        QVERIFY2(m_window->errorText().contains(u"(The open model stays.)"_qs), qPrintable(m_window->errorText()));
        QVERIFY(mode()->isActive());
        QTest::keyClicks(m_window->controls()->textEdit(), u" Then"_qs);
        QVERIFY(QTest::qWaitFor([this] { return m_window->isIdle() && m_window->errorText().isEmpty(); }, 20000));
    }

    // A model that opens but whose first run is refused: the message says why and claims
    // no earlier result.
    void aModelWhoseFirstRunFailsSaysSoWithoutClaimingAnEarlierResult()
    {
        QTemporaryDir dir;
        QSignalSpy shown(m_window.get(), &MainWindow::errorShown);
        m_window->openModel(makeOverflowingModel(dir));
        QVERIFY(shown.wait(10000));
        QVERIFY2(m_window->errorText().contains(u"exceed float32's range"_qs), qPrintable(m_window->errorText()));
        QVERIFY2(!m_window->errorText().contains(u"last result"_qs), qPrintable(m_window->errorText()));
        // Nothing of the sandbox's is shown as the model's: its views told the user to open
        // a model, the layer views and the statistics kept the sandbox's numbers.
        QCOMPARE(m_window->trace(), nullptr);
        for (const ViewId id : {ViewId::Heads, ViewId::HeadDetail, ViewId::TokenLinks, ViewId::Steps})
            QCOMPARE(m_window->view(id)->trace(), nullptr);
        QCOMPARE(m_window->headStatsTable()->model()->rowCount(), 0);
        for (ModelViewWidget* view : {mode()->gridPanel()->grid(), mode()->rolloutView(), mode()->nextTokenView()}) {
            QVERIFY(!view->result());
            QCOMPARE(view->emptyText(), u"Nothing computed yet: see the message above."_qs);
        }
    }

    void theLayerBarAndAGridClickChooseWhatTheSandboxViewsShow()
    {
        QVERIFY(openGpt2Tiny());
        mode()->layerSpin()->setValue(2);
        const attn::Trace* second = &mode()->result()->trace->layers[1];
        QCOMPARE(m_window->trace().get(), second);
        QCOMPARE(m_window->view(ViewId::Heads)->trace().get(), second);
        // The dock and the views read the statistics of that layer, kept with the result.
        const HeadStatsPtr secondStats = mode()->result()->layerHeadStats(1);
        QCOMPARE(m_window->view(ViewId::Steps)->options().headStats, secondStats);
        const std::vector<attn::HeadStats> expected = attn::headStats(*second);
        QAbstractItemModel* table = m_window->headStatsTable()->model();
        QCOMPARE(table->rowCount(), int(expected.size()));
        for (int row = 0; row < table->rowCount(); ++row) {
            const int head = table->index(row, HeadStatsModel::Head).data(HeadStatsModel::SortRole).toInt() - 1;
            QCOMPARE(table->index(row, HeadStatsModel::Entropy).data(HeadStatsModel::SortRole).toDouble(),
                     expected[std::size_t(head)].entropy);
        }

        m_window->showModelView(ModelViewId::Grid);
        ModelViewWidget* grid = mode()->gridPanel()->grid();
        QTRY_VERIFY(!grid->thumbnailCenter(0, 2).isNull());
        QApplication::setActiveWindow(m_window.get());
        m_window->controls()->textEdit()->setFocus();
        QTest::mouseClick(grid, Qt::LeftButton, Qt::NoModifier, grid->thumbnailCenter(0, 2).toPoint());
        QCOMPARE(m_window->currentView(), m_window->view(ViewId::HeadDetail));
        // It takes the keys: the arrows went on to the text box.
        QTRY_COMPARE(QApplication::focusWidget(), static_cast<QWidget*>(m_window->view(ViewId::HeadDetail)));
        QCOMPARE(m_window->sharedFocus().head, 2);
        QCOMPARE(m_window->controls()->detailHead(), 2);
        QCOMPARE(m_window->trace().get(), &mode()->result()->trace->layers[0]);
        QCOMPARE(mode()->layerSpin()->value(), 1);

        // A head chosen in the sandbox is the model's head too.
        m_window->selectHead(1);
        QCOMPARE(mode()->focus().head, 1);
    }

    void aLayerOrHeadPastTheModelShowsTheNearestAndSaysSo()
    {
        m_window->openModel(fixtureModel("gpt2-tiny"), 99, u"model"_qs, 9);
        QVERIFY(settleModel());
        QCOMPARE(mode()->focus().layer, 1);
        QCOMPARE(mode()->focus().head, 3);
        const QString message = m_window->statusBar()->currentMessage();
        QVERIFY2(message.contains(u"layer 100 asked for; it has 2, showing layer 2"_qs), qPrintable(message));
        QVERIFY2(message.contains(u"head 10 asked for; it has 4, showing head 4"_qs), qPrintable(message));
    }

    void typingGoesToTheModel()
    {
        QVERIFY(openGpt2Tiny());
        const ModelResultPtr before = mode()->result();
        m_window->controls()->textEdit()->moveCursor(QTextCursor::End);
        QTest::keyClicks(m_window->controls()->textEdit(), u" It slept"_qs);
        QVERIFY(QTest::qWaitFor([this, before] { return m_window->isIdle() && mode()->result() != before; }, 20000));
        const QString typed = m_settings.text + u" It slept"_qs;
        QCOMPARE(mode()->resultText(), typed);
        const auto expected = attn::runModel(mode()->model(), typed.toStdString());
        QCOMPARE(mode()->result()->trace->tokenIds, expected->tokenIds);
        QCOMPARE(m_window->trace().get(), &mode()->result()->trace->layers[0]);
    }

    void aSessionRemembersTheModelAndItsSelection()
    {
        QVERIFY(openGpt2Tiny(1, 3));
        m_window->showModelView(ModelViewId::Rollout);
        QTemporaryDir dir;
        const QString path = dir.filePath(u"model.json"_qs);
        QVERIFY(m_window->saveSession(path));
        const SessionResult saved = session::open(path, viewKeys() + modelViewKeys());
        QVERIFY2(saved.ok(), qPrintable(saved.error));
        QVERIFY(saved.state->model);
        QCOMPARE(saved.state->model->layer, 1);
        QCOMPARE(saved.state->model->head, 3);
        QCOMPARE(saved.state->view, u"rollout"_qs);
        QCOMPARE(saved.state->config, m_settings.config); // the sandbox's, for going back

        // A session without a model goes back to the sandbox.
        SessionState plain = *saved.state;
        plain.model.reset();
        plain.view = u"heads"_qs;
        m_window->applySession(plain);
        QVERIFY(settleSandbox());
        QVERIFY(control("heads")->isEnabled());

        // Opening the saved one opens the model on its layer, head and view.
        QVERIFY(m_window->openSession(path));
        QVERIFY(settleModel());
        QCOMPARE(mode()->focus().layer, 1);
        QCOMPARE(mode()->focus().head, 3);
        QCOMPARE(m_window->currentModelView(), std::optional<ModelViewId>(ModelViewId::Rollout));
        QCOMPARE(m_window->trace().get(), &mode()->result()->trace->layers[1]);
    }

    // Saved from the Head detail view with a model open, a session's view is "head": its
    // export was refused as "--view head is not a view", an option nobody gave.
    void aSessionSavedInAModelsHeadDetailExportsThatHead()
    {
        QVERIFY(openGpt2Tiny(1, 2));
        m_window->showView(ViewId::HeadDetail);
        QTemporaryDir dir;
        const QString path = dir.filePath(u"detail.json"_qs);
        QVERIFY(m_window->saveSession(path));
        QCOMPARE(session::open(path, viewKeys() + modelViewKeys()).state->view, u"head"_qs);
        const QString figure = dir.filePath(u"detail.png"_qs);
        const Run run = runExplorer({u"--session"_qs, path, u"--export"_qs, figure});
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors));
        const Run asked = runExplorer({u"--model"_qs, fixtureModel("gpt2-tiny"), u"--text"_qs, m_settings.text, u"--layer"_qs,
                                       u"2"_qs, u"--view"_qs, u"head:3"_qs, u"--export"_qs, dir.filePath(u"asked.png"_qs)});
        QVERIFY2(asked.exitCode == 0, qPrintable(asked.errors));
        QVERIFY(QImage(figure) == QImage(dir.filePath(u"asked.png"_qs))); // layer 2, head 3
    }

    // A session's model that is still opening, or that failed to open (its folder moved), is
    // saved as the session named it: not dropped, not swapped for the model open before.
    // Back to sandbox leaves it out.
    void aSessionKeepsItsModelWhileItOpensAndAfterItFailsToOpen()
    {
        m_window->openModel(fixtureModel("bert-tiny"));
        QVERIFY(settleModel());
        QTemporaryDir dir;
        const auto saved = [&](const QString& name) {
            const QString path = dir.filePath(name);
            return m_window->saveSession(path) ? session::open(path, viewKeys() + modelViewKeys()).state : std::nullopt;
        };
        SessionState named = m_window->sessionState();
        named.model = SessionModel{fixtureModel("gpt2-tiny"), 1, 3};
        named.view = u"rollout"_qs;
        const QString opening = dir.filePath(u"opening.json"_qs);
        QString error;
        QVERIFY2(session::save(opening, named, &error), qPrintable(error));
        QVERIFY(m_window->openSession(opening));
        const std::optional<SessionState> whileOpening = saved(u"while-opening.json"_qs);
        QVERIFY(whileOpening && whileOpening->model);
        QCOMPARE(*whileOpening->model, *named.model);
        QCOMPARE(whileOpening->view, named.view);
        QVERIFY(QTest::qWaitFor([this] { return !mode()->isOpening() && m_window->isIdle(); }, 20000));
        QCOMPARE(mode()->folder(), fixtureModel("gpt2-tiny"));

        named.model->folder = dir.filePath(u"moved-away"_qs);
        const QString moved = dir.filePath(u"moved.json"_qs);
        QVERIFY2(session::save(moved, named, &error), qPrintable(error));
        QSignalSpy shown(m_window.get(), &MainWindow::errorShown);
        QVERIFY(m_window->openSession(moved));
        QVERIFY(shown.wait(10000));
        QVERIFY(mode()->isActive()); // gpt2-tiny stays open, and is not the session's
        const std::optional<SessionState> afterFailure = saved(u"after-failure.json"_qs);
        QVERIFY(afterFailure && afterFailure->model);
        QCOMPARE(*afterFailure->model, *named.model);
        QCOMPARE(afterFailure->view, named.view);

        m_window->closeModel();
        QVERIFY(settleSandbox());
        QVERIFY(!saved(u"back-in-the-sandbox.json"_qs)->model);

        // Failed with no model open: Back to sandbox is there to leave it out.
        QVERIFY(m_window->openSession(moved));
        QVERIFY(shown.wait(10000));
        QVERIFY2(m_window->errorText().contains(u"Saving the session keeps its model; File → Back to sandbox leaves it out."_qs),
                 qPrintable(m_window->errorText()));
        QVERIFY(saved(u"failed-alone.json"_qs)->model);
        m_window->closeModel();
        QVERIFY(!saved(u"left-out.json"_qs)->model);
    }

    // A session that names its model's folder relative to itself (read beside it) is saved so
    // again, while the model opens and once it is open.
    void aRelativeModelFolderStaysRelativeWhenTheWindowSaves()
    {
        QTemporaryDir models, lessons;
        copyGpt2Tiny(models);
        SessionState named = m_window->sessionState();
        named.model = SessionModel{QDir(lessons.path()).relativeFilePath(models.path()), 0, 1};
        const QString path = lessons.filePath(u"lesson.json"_qs);
        QString error;
        QVERIFY2(session::save(path, named, &error), qPrintable(error));
        const auto writtenFolder = [&path] {
            QFile file(path);
            file.open(QIODevice::ReadOnly);
            return QJsonDocument::fromJson(file.readAll())[u"model"_qs][u"folder"_qs].toString();
        };
        QVERIFY(named.model->folder.startsWith(u"../"_qs));
        QVERIFY(m_window->openSession(path));
        QVERIFY(m_window->saveSession(path));
        QCOMPARE(writtenFolder(), named.model->folder);
        QVERIFY(settleModel());
        QVERIFY(m_window->saveSession(path));
        QCOMPARE(writtenFolder(), named.model->folder);
    }

    void aSessionsModelMemberIsChecked_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("says");
        QTest::newRow("empty folder") << uR"({"folder": " ", "layer": 0, "head": 0})"_qs << u"model.folder"_qs;
        QTest::newRow("negative layer") << uR"({"folder": "m", "layer": -1, "head": 0})"_qs << u"model.layer"_qs;
        QTest::newRow("layer as text") << uR"({"folder": "m", "layer": "2", "head": 0})"_qs << u"model.layer"_qs;
        QTest::newRow("no head") << uR"({"folder": "m", "layer": 1})"_qs << u"model.head"_qs;
    }
    void aSessionsModelMemberIsChecked()
    {
        QFETCH(QString, model);
        QFETCH(QString, says);
        QByteArray json = session::toJson(m_window->sessionState());
        json.chop(json.size() - json.lastIndexOf('}'));
        json += ", \"model\": " + model.toUtf8() + "}";
        const SessionResult result = session::fromJson(json, viewKeys() + modelViewKeys());
        QVERIFY(!result.ok());
        QVERIFY2(result.error.contains(says), qPrintable(result.error));
    }

    void theExecutableDumpsAndExportsAModel()
    {
        QTemporaryDir dir;
        const QString model = fixtureModel("gpt2-tiny");
        const QString text = u"The cat sat on the mat"_qs;
        const Run dump = runExplorer({u"--model"_qs, model, u"--text"_qs, text, u"--dump"_qs, dir.filePath(u"dump"_qs)});
        QVERIFY2(dump.exitCode == 0, qPrintable(dump.errors));
        const auto trace = attn::runModel(attn::Model::load(model.toStdString()), text.toStdString());
        const attn::Tensor weights = attn::readNpy(dir.filePath(u"dump/weights.npy"_qs).toStdString());
        const std::size_t n = trace->tokenCount(), h = std::size_t(trace->config.heads);
        QCOMPARE(weights.shape, (std::vector<std::size_t>{trace->layerCount(), h, n, n}));

        const QString png = dir.filePath(u"grid.png"_qs);
        const Run exported = runExplorer({u"--model"_qs, model, u"--text"_qs, text, u"--export"_qs, png, u"--view"_qs, u"model"_qs});
        QVERIFY2(exported.exitCode == 0, qPrintable(exported.errors));
        const QImage image(png);
        QVERIFY(!image.isNull());
        QCOMPARE(image.size(), modelExportPageSize(ModelViewId::Grid, *makeModelResult(trace), Appearance::standard()));
        // The same figure as the window's paint function draws.
        ModelFigure figure;
        figure.view = ModelViewId::Grid;
        figure.options.look = Appearance::standard();
        figure.options.look.text = text;
        figure.focus.head = -1; // a script's figure selects no head
        figure.size = image.size();
        const QImage expected = renderModelImage(figure, *makeModelResult(trace));
        QCOMPARE(image.convertToFormat(QImage::Format_RGB32), expected.convertToFormat(QImage::Format_RGB32));
    }

    // --presentation and --colors reach a model's figure as they reach the sandbox's: the
    // grid is the window's paint function in the classroom look and the colours asked for.
    void theExecutableDrawsAModelInTheLookAskedFor()
    {
        QTemporaryDir dir;
        const QString model = fixtureModel("gpt2-tiny");
        const QString text = u"The cat sat on the mat"_qs;
        const QString png = dir.filePath(u"grid.png"_qs);
        const Run exported = runExplorer({u"--model"_qs, model, u"--text"_qs, text, u"--presentation"_qs, u"--colors"_qs,
                                          u"greys"_qs, u"--export"_qs, png, u"--view"_qs, u"model"_qs});
        QVERIFY2(exported.exitCode == 0, qPrintable(exported.errors));
        const QImage image(png);
        ModelFigure figure;
        figure.view = ModelViewId::Grid;
        figure.options.look = Appearance::forPresentation(Appearance::standard());
        figure.options.look.colorMap = ColorMapId::Greys;
        figure.options.look.text = text;
        figure.focus.head = -1; // a script's figure selects no head
        const auto result = makeModelResult(attn::runModel(attn::Model::load(model.toStdString()), text.toStdString()));
        figure.size = modelExportPageSize(ModelViewId::Grid, *result, figure.options.look);
        QCOMPARE(image.size(), figure.size);
        const QImage expected = renderModelImage(figure, *result);
        QCOMPARE(image.convertToFormat(QImage::Format_RGB32), expected.convertToFormat(QImage::Format_RGB32));
        // The page has room for the title's facts in the larger type, within its margins and
        // beside a few words of the sentence (they were cut off: "all layers and hea").
        QFont bold = figure.options.look.font;
        bold.setBold(true);
        const QString facts = u"  ·  gpt2-tiny: 2 layers × 4 heads, dₖ = 8  ·  all layers and heads"_qs;
        QVERIFY2(QFontMetricsF(bold).horizontalAdvance(u"“The cat…”"_qs + facts) <= image.width() - 16,
                 qPrintable(QString::number(image.width())));
    }

    // Every view of a model takes the classroom look (large type, thick lines) from
    // --presentation; each once came out the same with and without it.
    void presentationReachesEveryViewOfAModel_data()
    {
        QTest::addColumn<QString>("view");
        for (const char* view : {"model", "rollout", "next", "heads", "links", "steps", "head:1"})
            QTest::newRow(view) << QString::fromLatin1(view);
    }
    void presentationReachesEveryViewOfAModel()
    {
        QFETCH(QString, view);
        QTemporaryDir dir;
        const QStringList figure = {u"--model"_qs, fixtureModel("gpt2-tiny"), u"--text"_qs, u"The cat sat on the mat"_qs,
                                    u"--view"_qs, view, u"--export"_qs};
        const QString standard = dir.filePath(u"standard.png"_qs), presentation = dir.filePath(u"presentation.png"_qs);
        const Run plain = runExplorer(figure + QStringList{standard});
        QVERIFY2(plain.exitCode == 0, qPrintable(plain.errors));
        const Run large = runExplorer(figure + QStringList{presentation, u"--presentation"_qs});
        QVERIFY2(large.exitCode == 0, qPrintable(large.errors));
        QVERIFY(QImage(presentation) != QImage(standard));
    }

    // The next tokens in large type once showed 2 of the 5 on a page sized for the normal type.
    void aPresentationsNextTokensShowEveryCandidate()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"next.svg"_qs);
        const Run run = runExplorer({u"--model"_qs, fixtureModel("gpt2-tiny"), u"--text"_qs, u"The cat sat on the mat"_qs,
                                     u"--view"_qs, u"next"_qs, u"--presentation"_qs, u"--export"_qs, path});
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors));
        QFile svg(path);
        QVERIFY(svg.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(svg.readAll());
        QVERIFY2(text.contains(u"most likely next tokens"_qs), "the heading is not in the figure");
        const QRegularExpression cutShort(u"\\(\\d+ of \\d+\\)"_qs);
        QVERIFY2(!text.contains(cutShort), qPrintable(cutShort.match(text).captured()));
    }

    // --size reaches a model's figures as it does the sandbox's: every view that fits the page
    // is laid out on it, and the steps, which do not, are refused with the size they need.
    void aGivenPageSizeReachesEveryViewOfAModel_data()
    {
        QTest::addColumn<QString>("view");
        for (const char* view : {"model", "rollout", "next", "heads", "links", "head:1"})
            QTest::newRow(view) << QString::fromLatin1(view);
    }
    void aGivenPageSizeReachesEveryViewOfAModel()
    {
        QFETCH(QString, view);
        QTemporaryDir dir;
        const QString path = dir.filePath(u"column.png"_qs);
        const Run run = runExplorer({u"--model"_qs, fixtureModel("gpt2-tiny"), u"--text"_qs, u"The cat sat on the mat"_qs,
                                     u"--view"_qs, view, u"--size"_qs, u"400x300"_qs, u"--export"_qs, path});
        QVERIFY2(run.exitCode == 0, qPrintable(run.errors));
        QCOMPARE(QImage(path).size(), QSize(400, 300));
    }

    void aPageTooSmallForAModelsStepsIsRefused()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"steps.png"_qs);
        const Run run = runExplorer({u"--model"_qs, fixtureModel("gpt2-tiny"), u"--view"_qs, u"steps"_qs, u"--size"_qs,
                                     u"400x300"_qs, u"--export"_qs, path});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.errors.contains(u"--size 400x300 is too small for the steps: they need at least 1060x640"_qs),
                 qPrintable(run.errors));
        QVERIFY(!QFileInfo::exists(path));
    }

    // --text "" is an empty text, not a cue for the example sentence (which only a missing
    // --text brings).
    void anEmptyTextIsHonouredAndNotReplaced()
    {
        QTemporaryDir dir;
        const QString model = fixtureModel("gpt2-tiny");
        const Run empty = runExplorer({u"--model"_qs, model, u"--text"_qs, QString(), u"--dump"_qs, dir.filePath(u"empty"_qs)});
        QVERIFY2(empty.exitCode == 0, qPrintable(empty.errors));
        QCOMPARE(attn::readNpy(dir.filePath(u"empty/weights.npy"_qs).toStdString()).shape,
                 (std::vector<std::size_t>{2, 4, 0, 0}));
        // A pixel --scale is no layer option: a model's figure takes one.
        const Run scaled = runExplorer({u"--model"_qs, model, u"--text"_qs, u"The cat"_qs, u"--scale"_qs, u"2"_qs,
                                        u"--export"_qs, dir.filePath(u"scaled.png"_qs)});
        QVERIFY2(scaled.exitCode == 0, qPrintable(scaled.errors));
        QVERIFY(!QImage(dir.filePath(u"scaled.png"_qs)).isNull());
        const Run missing = runExplorer({u"--model"_qs, model, u"--dump"_qs, dir.filePath(u"missing"_qs)});
        QVERIFY2(missing.exitCode == 0, qPrintable(missing.errors));
        QVERIFY(attn::readNpy(dir.filePath(u"missing/weights.npy"_qs).toStdString()).dim(2) > 0);
    }

    // A session names its model's layer and head; one past the model is named as the
    // session's, in the file's numbers from 0: not as a --layer the user never typed, nor
    // as "layer 100 ... use 1 to 2" (which sent an editor of the file to a 2), nor as a
    // "--view head:10" nobody gave.
    void aSessionsLayerOrHeadPastTheModelIsNamedAsTheSessions_data()
    {
        QTest::addColumn<int>("layer");
        QTest::addColumn<int>("head");
        QTest::addColumn<QString>("view");
        QTest::addColumn<QString>("says");
        QTest::newRow("layer") << 99 << 0 << u"model"_qs
                               << u"the session's model layer is 99 (the file counts from 0): gpt2-tiny has 2 layers; in the file, use 0 to 1."_qs;
        QTest::newRow("head") << 1 << 9 << u"head"_qs
                              << u"the session's head is 9 (the file counts from 0): gpt2-tiny has 4 heads; in the file, use 0 to 3."_qs;
    }
    void aSessionsLayerOrHeadPastTheModelIsNamedAsTheSessions()
    {
        QFETCH(int, layer);
        QFETCH(int, head);
        QFETCH(QString, view);
        QFETCH(QString, says);
        QTemporaryDir dir;
        SessionState state;
        state.text = u"the cat sat"_qs;
        state.model = SessionModel{fixtureModel("gpt2-tiny"), layer, head};
        state.view = view;
        const QString path = dir.filePath(u"lesson.json"_qs);
        QString error;
        QVERIFY2(session::save(path, state, &error), qPrintable(error));
        const Run run = runExplorer({u"--session"_qs, path, u"--export"_qs, dir.filePath(u"out.png"_qs)});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.errors.contains(says), qPrintable(run.errors));
    }

    void theExecutableRefusesBadModelArguments_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("says");
        const QString model = fixtureModel("gpt2-tiny");
        // A figure's name in a folder that exists: the refusals below come before it is written.
        const QString figure = QDir::temp().filePath(u"attention-explorer-never-written.png"_qs);
        QTest::newRow("layer without model") << QStringList{u"--layer"_qs, u"2"_qs, u"--dump"_qs, u"/nonexistent"_qs} << 2
                                             << u"--model"_qs;
        QTest::newRow("layer 0") << QStringList{u"--model"_qs, model, u"--layer"_qs, u"0"_qs, u"--dump"_qs, u"/nonexistent"_qs}
                                 << 2 << u"from 1"_qs;
        // A model's dump holds every layer: the layer asked for was dropped without a word.
        QTest::newRow("layer with a dump alone")
            << QStringList{u"--model"_qs, model, u"--layer"_qs, u"2"_qs, u"--dump"_qs, u"/nonexistent"_qs} << 2
            << u"--layer shapes the figure of --export, and this command only dumps"_qs;
        QTest::newRow("layer beyond") << QStringList{u"--model"_qs, model, u"--layer"_qs, u"7"_qs, u"--export"_qs,
                                                     figure, u"--view"_qs, u"heads"_qs}
                                      << 2 << u"has 2 layers"_qs;
        QTest::newRow("not a model") << QStringList{u"--model"_qs, QString::fromUtf8(ATTN_FIXTURES_DIR), u"--dump"_qs,
                                                    u"/nonexistent"_qs}
                                     << 2 << u"config.json"_qs;
        QTest::newRow("sandbox layer options") << QStringList{u"--model"_qs, model, u"--heads"_qs, u"8"_qs, u"--scale"_qs,
                                                              u"none"_qs, u"--dump"_qs, u"/nonexistent"_qs}
                                               << 2 << u"--heads, --scale none: a trained model sets its own layers"_qs;
        // Said for what it is: a mask or a temperature is no "source text".
        QTest::newRow("a mask and a temperature") << QStringList{u"--model"_qs, model, u"--causal"_qs, u"--temperature"_qs,
                                                                 u"2"_qs, u"--dump"_qs, u"/nonexistent"_qs}
                                                  << 2 << u"--causal, --temperature: a trained model sets its own layers (heads, sizes, weights, mask, scaling and temperature)"_qs;
        QTest::newRow("a source text") << QStringList{u"--model"_qs, model, u"--source"_qs, u"x y"_qs, u"--dump"_qs,
                                                      u"/nonexistent"_qs}
                                       << 2 << u"--source: a trained model"_qs;
        // Pages that would only say why there is nothing to show.
        QTest::newRow("next tokens of BERT") << QStringList{u"--model"_qs, fixtureModel("bert-tiny"), u"--export"_qs,
                                                            figure, u"--view"_qs, u"next"_qs}
                                             << 2 << u"has no next-token head"_qs;
        QTest::newRow("links without room") << QStringList{u"--model"_qs, model, u"--text"_qs, u"The cat sat on the mat and looked at the dog"_qs,
                                                           u"--view"_qs, u"links"_qs, u"--size"_qs, u"310x190"_qs, u"--export"_qs, figure}
                                            << 2 << u"no room for the rows of the token links"_qs;
        QTest::newRow("no text") << QStringList{u"--model"_qs, model, u"--text"_qs, QString(), u"--export"_qs,
                                                figure, u"--view"_qs, u"model"_qs}
                                 << 2 << u"the text has no tokens"_qs;
    }
    // Refused with a dump beside it, a figure once left the dump written.
    void aModelFigureThatCannotBeDrawnLeavesNoDump()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath(u"out"_qs);
        const Run run = runExplorer({u"--model"_qs, fixtureModel("bert-tiny"), u"--text"_qs, u"hi"_qs, u"--dump"_qs, out,
                                     u"--export"_qs, dir.filePath(u"next.png"_qs), u"--view"_qs, u"next"_qs});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.errors.contains(u"has no next-token head"_qs), qPrintable(run.errors));
        QVERIFY(!QDir(out).exists());
    }

    void theExecutableRefusesBadModelArguments()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, code);
        QFETCH(QString, says);
        const Run run = runExplorer(arguments);
        QCOMPARE(run.exitCode, code);
        QVERIFY2(run.errors.contains(says), qPrintable(run.errors));
        QVERIFY(!QFile::exists(QDir::temp().filePath(u"attention-explorer-never-written.png"_qs)));
    }
};

ATTN_GUI_TEST_MAIN(TestModelWindow)
#include "test_model_window.moc"
