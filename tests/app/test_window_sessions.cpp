// What the window does not lose: Save as asks before it replaces a session typed without
// ".json"; the command line's changes to a session are changes not saved yet; a text an
// example or a session replaces comes back with Ctrl+Z, and a typed text that no file holds
// is asked about before it is replaced, though remembered between runs.
#include "gui_test_main.h"
#include "window_fixture.h"

#include "cli/command_line.h"
#include "window/control_panel.h"
#include "views/view_widget.h"
#include "window/main_window.h"
#include "window/window_start.h"

#include <QFile>
#include <QFileDialog>
#include <QLineEdit>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QTemporaryDir>

#include <memory>

namespace {

const QString essay = u"An essay typed yesterday, saved in no session file."_qs;

QByteArray contents(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// A window started by the command line, as main() starts it, on remembered settings.
std::unique_ptr<MainWindow> startWindow(const QStringList& arguments, const Settings& remembered)
{
    const ParsedCommandLine parsed = parseCommandLine(QStringList{u"attention-explorer"_qs} + arguments);
    if (!parsed.commandLine)
        return nullptr;
    auto window = std::make_unique<MainWindow>(startingSettings(*parsed.commandLine, remembered));
    startFromCommandLine(*window, *parsed.commandLine);
    window->show();
    return QTest::qWaitForWindowExposed(window.get()) && windowSettled(*window) ? std::move(window) : nullptr;
}

} // namespace

class TestWindowSessions : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<MainWindow> m_window;
    QTemporaryDir m_dir;

    QAction* menuAction(const QString& text) const
    {
        for (QAction* action : m_window->menuBar()->findChildren<QAction*>())
            if (QString(action->text()).remove(u'&') == text)
                return action;
        return nullptr;
    }
    QAction* exampleAction(const Example& example) const { return menuAction(example.title); }
    void type(const QString& text) const
    {
        QPlainTextEdit* edit = m_window->controls()->textEdit();
        edit->setFocus();
        edit->selectAll();
        QTest::keyClicks(edit, text);
    }
    void undo() const { QTest::keyClick(m_window->controls()->textEdit(), Qt::Key_Z, Qt::ControlModifier); }

private slots:
    void init()
    {
        QVERIFY(m_dir.isValid());
        m_window = openWindow(Settings::defaultText(), QSize(1200, 800));
        QVERIFY(m_window);
    }
    void cleanup() { m_window.reset(); }

    // "lesson" typed in Save as is lesson.json: the dialog asks before it replaces that file
    // (the name once got its ".json" after the dialog had checked, and the file was lost).
    void saveAsWithABareNameAsksBeforeReplacingTheJsonFile()
    {
        const QString path = m_dir.filePath(u"lesson.json"_qs);
        QFile earlier(path);
        QVERIFY(earlier.open(QIODevice::WriteOnly) && earlier.write("{\"an earlier lesson\": true}") > 0);
        earlier.close();

        QStringList seen; // what showed, in turn
        auto* poll = new QTimer(m_window.get());
        connect(poll, &QTimer::timeout, poll, [&seen, poll, this] {
            QWidget* modal = QApplication::activeModalWidget();
            if (auto* question = qobject_cast<QMessageBox*>(modal)) {
                seen << question->text();
                question->button(QMessageBox::No)->click();
            } else if (auto* dialog = qobject_cast<QFileDialog*>(modal); dialog && seen.isEmpty()) {
                seen << u"dialog"_qs;
                dialog->setDirectory(m_dir.path());
                QTest::keyClicks(dialog->findChild<QLineEdit*>(u"fileNameEdit"_qs), u"lesson"_qs);
                QMetaObject::invokeMethod(dialog, "accept", Qt::QueuedConnection); // its question runs a loop of its own
            } else if (dialog && seen.size() == 2) {
                seen << u"dialog again"_qs;
                poll->stop();
                dialog->reject();
            }
        });
        poll->start(20);
        menuAction(u"Save session as…"_qs)->trigger();
        poll->stop();

        QCOMPARE(seen.size(), 3);
        QVERIFY2(seen[1].contains(u"lesson.json already exists"_qs), qPrintable(seen.join(u" | "_qs)));
        QCOMPARE(seen[2], u"dialog again"_qs); // No: the name can be mended
        QCOMPARE(contents(path), QByteArray("{\"an earlier lesson\": true}"));
    }

    // --session a.json --text "…" starts on the session as saved: the new text is a change not
    // saved yet (the title marks it; closing asks), and a.json keeps its own text.
    void theCommandLinesChangesToASessionAreNotSavedYet()
    {
        SessionState saved;
        saved.text = u"the session's own text"_qs;
        const QString path = m_dir.filePath(u"a.json"_qs);
        QString error;
        QVERIFY2(session::save(path, saved, &error), qPrintable(error));
        Settings remembered;
        remembered.text = essay;

        m_window = startWindow({u"--session"_qs, path, u"--text"_qs, u"override"_qs, u"--heads"_qs, u"2"_qs}, remembered);
        QVERIFY(m_window);
        QCOMPARE(m_window->controls()->text(), u"override"_qs);
        QCOMPARE(m_window->controls()->config().heads, 2);
        QVERIFY(m_window->hasUnsavedWork());
        QVERIFY(m_window->isWindowModified());
        QCOMPARE(m_window->windowTitle(), u"a.json[*] — Attention Explorer"_qs);
        const auto question = answerNextMessageBox(m_window.get(), QMessageBox::Cancel);
        QVERIFY(!m_window->close());
        QVERIFY2(question->contains(u"a.json"_qs), qPrintable(*question));
        QCOMPARE(session::open(path).state->text, saved.text);

        // Ctrl+Z brings back the session's text, which then is no change.
        undo();
        QCOMPARE(m_window->controls()->text(), saved.text);
        m_window->controls()->findChild<QSpinBox*>(u"heads"_qs)->setValue(saved.config.heads);
        QVERIFY(!m_window->hasUnsavedWork());

        m_window = startWindow({u"--session"_qs, path}, remembered);
        QVERIFY(m_window);
        QCOMPARE(m_window->controls()->text(), saved.text);
        QVERIFY(!m_window->hasUnsavedWork());
        QVERIFY(!m_window->isWindowModified());
    }

    // --colors and --unit-scale set the window's colours as they set a figure's: over the
    // remembered ones, and over a session's.
    void theCommandLinesColoursReachTheWindow()
    {
        Settings remembered;
        remembered.colorMap = ColorMapId::Cividis;
        m_window = startWindow({u"--colors"_qs, u"greys"_qs}, remembered);
        QVERIFY(m_window);
        QCOMPARE(m_window->controls()->colorMap(), ColorMapId::Greys);

        SessionState saved;
        saved.colorMap = ColorMapId::Cividis;
        const QString path = m_dir.filePath(u"colours.json"_qs);
        QString error;
        QVERIFY2(session::save(path, saved, &error), qPrintable(error));
        m_window = startWindow({u"--session"_qs, path, u"--colors"_qs, u"greys"_qs}, remembered);
        QVERIFY(m_window);
        QCOMPARE(m_window->controls()->colorMap(), ColorMapId::Greys);
        m_window = startWindow({u"--session"_qs, path}, Settings{});
        QVERIFY(m_window);
        QCOMPARE(m_window->controls()->colorMap(), ColorMapId::Cividis);
        QVERIFY(!m_window->controls()->unitColorScale());
        m_window = startWindow({u"--session"_qs, path, u"--unit-scale"_qs}, Settings{});
        QVERIFY(m_window);
        QVERIFY(m_window->controls()->unitColorScale());
    }

    // An example, or a session opened, replaces the text as one edit: one Ctrl+Z brings back
    // what was typed, which is then computed and marked as a change.
    void ctrlZBringsBackATextAnExampleOrASessionReplaced()
    {
        const Example& example = m_window->examples().constFirst();
        type(essay);
        QVERIFY(windowSettled(*m_window));
        m_window->applyExample(example);
        QCOMPARE(m_window->controls()->text(), example.text);
        undo();
        QCOMPARE(m_window->controls()->text(), essay);
        QVERIFY(m_window->hasUnsavedWork());
        QVERIFY(m_window->isWindowModified());
        QVERIFY(QTest::qWaitFor([this] { return m_window->isIdle() && m_window->shownText() == essay; }, 20000));

        SessionState lesson;
        lesson.text = u"a lesson's sentence"_qs;
        const QString path = m_dir.filePath(u"lesson.json"_qs);
        QString error;
        QVERIFY2(session::save(path, lesson, &error), qPrintable(error));
        QVERIFY(m_window->openSession(path));
        QCOMPARE(m_window->controls()->text(), lesson.text);
        undo();
        QCOMPARE(m_window->controls()->text(), essay);
    }

    // A session that cannot run once left the previous one's picture on show, "the last
    // result that worked", under the new session's text and settings; a failed edit within
    // one document still keeps its own last picture.
    void aSessionThatCannotRunShowsNothingOfTheOneBefore()
    {
        QVERIFY(m_window->trace());
        SessionState huge;
        huge.text = u"The cat sat."_qs;
        huge.config.heads = 64;
        huge.config.d_k = 1024;
        huge.config.d_model = 8192; // weights alone would need 8 GiB
        const QString path = m_dir.filePath(u"huge.json"_qs);
        QString error;
        QVERIFY2(session::save(path, huge, &error), qPrintable(error));
        QVERIFY(m_window->openSession(path));
        QVERIFY(windowSettled(*m_window));
        QVERIFY2(m_window->errorText().contains(u"memory"_qs), qPrintable(m_window->errorText()));
        QVERIFY2(!m_window->errorText().contains(u"last result"_qs), qPrintable(m_window->errorText()));
        QVERIFY(!m_window->trace());
        QCOMPARE(m_window->view(ViewId::Heads)->emptyText(), u"Nothing computed yet: see the message above."_qs);

        m_window->controls()->findChild<QSpinBox*>(u"dmodel"_qs)->setValue(64);
        QVERIFY(QTest::qWaitFor([this] { return m_window->isIdle() && m_window->trace(); }, 20000));
        m_window->controls()->findChild<QSpinBox*>(u"dmodel"_qs)->setValue(8192);
        QVERIFY(windowSettled(*m_window));
        QVERIFY2(m_window->errorText().contains(u"last result"_qs), qPrintable(m_window->errorText()));
        QVERIFY(m_window->trace());
    }

    // The text remembered between runs is in no file: an example or Open asks before they
    // replace it (Cancel keeps it); closing does not ask, as it comes back at the next start.
    void aTypedTextInNoFileIsAskedAboutBeforeAnExampleOrOpenReplacesIt()
    {
        Settings remembered;
        remembered.text = essay;
        m_window = openWindow(remembered, QSize(1200, 800));
        QVERIFY(m_window);
        QVERIFY(!m_window->hasUnsavedWork());
        QVERIFY(m_window->hasTextOnlyHere());

        const QList<Example>& examples = m_window->examples();
        const auto question = answerNextMessageBox(m_window.get(), QMessageBox::Cancel);
        exampleAction(examples[0])->trigger();
        QVERIFY2(question->contains(u"Your text is in no session file"_qs), qPrintable(*question));
        QCOMPARE(m_window->controls()->text(), essay);

        const auto openQuestion = answerNextMessageBox(m_window.get(), QMessageBox::Cancel);
        menuAction(u"Open session…"_qs)->trigger(); // Cancel: no file dialog follows
        QVERIFY2(openQuestion->contains(u"Your text is in no session file"_qs), qPrintable(*openQuestion));
        QCOMPARE(m_window->controls()->text(), essay);

        answerNextMessageBox(m_window.get(), QMessageBox::Discard);
        exampleAction(examples[0])->trigger();
        QCOMPARE(m_window->controls()->text(), examples[0].text);

        // An example in the box is at hand in the menu: the next one asks nothing.
        const auto unasked = answerNextMessageBox(m_window.get(), QMessageBox::Cancel);
        exampleAction(examples[1])->trigger();
        QCOMPARE(m_window->controls()->text(), examples[1].text);
        QVERIFY2(unasked->isEmpty(), qPrintable(*unasked));

        undo();
        QCOMPARE(m_window->controls()->text(), examples[0].text);
        undo();
        QCOMPARE(m_window->controls()->text(), essay);
        QVERIFY(m_window->close()); // a Cancel poll is still waiting: a question would keep it open
    }

    // The first sentence, and a text remembered from a session file that still holds it, are
    // safe; once the file holds another text, the remembered one is asked about.
    void aRememberedTextIsSafeWhileItsSessionFileHoldsIt()
    {
        QVERIFY(!m_window->hasTextOnlyHere()); // the first sentence
        type(essay);
        QVERIFY(m_window->hasTextOnlyHere());
        QVERIFY(windowSettled(*m_window));
        Focus pinned = m_window->sharedFocus();
        pinned.pinnedQueries = {0, 2};
        m_window->shareFocus(pinned);
        const QString path = m_dir.filePath(u"essay.json"_qs);
        QVERIFY(m_window->saveSession(path));
        QVERIFY(!m_window->hasTextOnlyHere());
        const Settings remembered = m_window->currentSettings();
        QCOMPARE(remembered.textSessionFile, QFileInfo(path).absoluteFilePath());

        auto next = startWindow({}, remembered); // as main() starts it
        QVERIFY(next);
        QVERIFY(!next->hasTextOnlyHere());
        QCOMPARE(next->currentSettings().textSessionFile, remembered.textSessionFile);
        // The window shows that session again: its name in the title, Ctrl+S into it, its
        // pinned tokens (which the remembered settings do not hold).
        QVERIFY2(next->windowTitle().startsWith(u"essay.json"_qs), qPrintable(next->windowTitle()));
        QCOMPARE(next->sharedFocus().pinnedQueries, (QList<int>{0, 2}));
        // Not a session with a model, which the window starts without: Ctrl+S would have
        // written the file again without its model.
        SessionState withModel = m_window->sessionState();
        withModel.model = SessionModel{m_dir.filePath(u"gpt2"_qs), 0, 0, false};
        const QString modelPath = m_dir.filePath(u"with-model.json"_qs);
        QString saveError;
        QVERIFY2(session::save(modelPath, withModel, &saveError), qPrintable(saveError));
        Settings rememberedWithModel = remembered;
        rememberedWithModel.textSessionFile = QFileInfo(modelPath).absoluteFilePath();
        auto withoutItsModel = startWindow({}, rememberedWithModel);
        QVERIFY(withoutItsModel);
        QVERIFY(!withoutItsModel->hasTextOnlyHere());
        QVERIFY2(!withoutItsModel->windowTitle().contains(u"with-model.json"_qs), qPrintable(withoutItsModel->windowTitle()));

        SessionState other;
        other.text = u"another text, saved over the essay"_qs;
        QString error;
        QVERIFY2(session::save(path, other, &error), qPrintable(error));
        next = openWindow(remembered, QSize(1000, 700));
        QVERIFY(next);
        QVERIFY(next->hasTextOnlyHere());

        type(essay + u" More."_qs);
        QVERIFY(m_window->currentSettings().textSessionFile.isEmpty());
    }
};

ATTN_GUI_TEST_MAIN(TestWindowSessions)
#include "test_window_sessions.moc"
