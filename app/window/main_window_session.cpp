// The main window's sessions: open and save them, and the work that is not saved yet.
#include "main_window.h"

#include "control_panel.h"
#include "model/model_mode.h"
#include "views/view_widget.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QStandardPaths>
#include <QStatusBar>

#include <algorithm>

SessionState MainWindow::sessionState() const
{
    SessionState state;
    state.text = m_controls->text();
    if (const QString source = m_controls->sourceText(); !source.isEmpty())
        state.sourceText = source;
    state.config = m_controls->config();
    state.backend = m_controls->backend();
    if (ViewWidget* widget = currentView())
        state.view = widget->kind().key;
    state.head = std::clamp(m_focus.head, 0, std::max(0, state.config.heads - 1));
    state.query = m_focus.selectedQuery();
    state.key = state.query >= 0 ? m_focus.selectedKey : -1;
    state.alsoPinned = m_focus.pinnedQueries.mid(0, std::max<qsizetype>(0, m_focus.pinnedQueries.size() - 1));
    state.colorMap = m_controls->colorMap();
    state.unitColorScale = m_controls->unitColorScale();
    state.filter = m_controls->filter();
    if (m_sessionModel) {
        state.model = m_sessionModel->model;
        state.view = m_sessionModel->view;
    } else if (m_modelMode->isActive()) {
        // The model's folder and selection; the config stays the sandbox's, for going back.
        state.model = SessionModel{QFileInfo(m_modelMode->folder()).absoluteFilePath(), m_modelMode->focus().layer,
                                   m_modelMode->focus().head, m_modelFolderRelative};
        if (const std::optional<ModelViewId> id = currentModelView())
            state.view = modelViewKind(*id).key;
    }
    return state;
}

namespace {

// A session's selection: its head, its pinned tokens and key.
Focus selectionOf(const SessionState& state)
{
    Focus focus;
    focus.head = state.head;
    focus.pinnedQueries = state.pinnedQueries();
    if (state.query >= 0)
        focus.selectedKey = state.key;
    return focus;
}

} // namespace

void MainWindow::applySession(const SessionState& state)
{
    m_documentFrom = m_compute.latestSubmitted() + 1;
    m_controls->setInputs(state.text, state.config);
    m_controls->startNewHistory();
    m_controls->setSourceText(state.sourceText.value_or(QString()));
    m_controls->setBackend(state.backend);
    m_controls->setDisplay(state.colorMap, state.filter, state.unitColorScale);
    // Token numbers are checked against the new trace when it arrives (views drop pins
    // beyond its tokens); a session of a different text must not keep stale ones.
    shareFocus(selectionOf(state));
    for (const ViewKind& kind : viewKinds())
        if (kind.key == state.view)
            showView(kind.id);
    applyDisplay();
    if (state.model) {
        recompute(); // model mode keeps the text; the sandbox runs it until the model is open
        m_sessionModel = NamedModel{*state.model, state.view}; // before a failure could be reported
        openModel(state.model->folder, state.model->layer, state.view, state.model->head);
        m_modelPending->namedBySession = true; // read once it is open, on a later turn of the event loop
    } else if (m_modelMode->isActive() || m_modelMode->isOpening() || m_sessionModel) {
        closeModel(); // back to the sandbox, which recomputes
    } else {
        recompute();
    }
    setWindowModified(hasUnsavedWork()); // the command line's changes to a session
}

bool MainWindow::openSession(const QString& path)
{
    const SessionResult result = session::open(path, viewKeys() + modelViewKeys());
    if (!result.ok()) {
        showMessage(u"Could not open the session"_qs, result.error);
        return false;
    }
    applySession(*result.state);
    markStartingPoint(path);
    if (result.ignored.isEmpty())
        statusBar()->showMessage(u"Opened "_qs + QDir::toNativeSeparators(path), 5000);
    else
        statusBar()->showMessage(u"Opened "_qs + QDir::toNativeSeparators(path) + u"; "_qs
                                     + session::ignoredMembersText(result.ignored), 20000);
    return true;
}

bool MainWindow::saveSession(const QString& path)
{
    QString error;
    if (!session::save(path, sessionState(), &error)) {
        showMessage(u"Could not save the session"_qs, error);
        return false;
    }
    markStartingPoint(path);
    statusBar()->showMessage(u"Saved "_qs + QDir::toNativeSeparators(path), 5000);
    return true;
}

void MainWindow::markStartingPoint(const QString& sessionFile)
{
    m_sessionFile = sessionFile;
    markWorkSaved();
    if (!sessionFile.isEmpty()) {
        m_sessionFolder = QFileInfo(sessionFile).absolutePath();
        m_filedWork = FiledWork{QFileInfo(sessionFile).absoluteFilePath(), m_savedWork};
    }
    m_rememberSoon.start();
}

MainWindow::Work MainWindow::workOf(const QString& text, const QString& source, const attn::Config& config)
{
    return {text, source.trimmed().isEmpty() ? QString() : source, config};
}

MainWindow::Work MainWindow::currentWork() const
{
    return workOf(m_controls->text(), m_controls->sourceText(), m_controls->config());
}

bool MainWindow::hasUnsavedWork() const
{
    return currentWork() != m_savedWork;
}

bool MainWindow::hasTextOnlyHere() const
{
    const Work work = currentWork();
    if (work.text.trimmed().isEmpty() && work.source.isEmpty())
        return false; // nothing to lose
    if (m_filedWork && m_filedWork->work.sameTexts(work))
        return false;
    if (work.source.isEmpty() && work.text == Settings::defaultText())
        return false;
    return std::none_of(m_examples.begin(), m_examples.end(), [&work](const Example& example) {
        return work.sameTexts(workOf(example.text, example.sourceText.value_or(QString()), {}));
    });
}

void MainWindow::markWorkSaved()
{
    m_savedWork = currentWork();
    setWindowModified(false);
    updateWindowTitle();
}

void MainWindow::markRememberedWorkSaved(const QString& textSessionFile)
{
    markWorkSaved(); // the remembered text comes back at every start: nothing to lose yet
    if (textSessionFile.isEmpty())
        return;
    // Read again: the file may have been saved over or deleted since.
    const SessionResult held = session::open(textSessionFile);
    if (!held.ok())
        return;
    const Work filed = workOf(held.state->text, held.state->sourceText.value_or(QString()), held.state->config);
    if (!m_savedWork.sameTexts(filed))
        return;
    m_filedWork = FiledWork{textSessionFile, m_savedWork};
    // Texts and settings as the file holds them: the window shows that session again, and
    // Ctrl+S saves into it (the file was forgotten at every start).
    if (m_savedWork == filed && !held.state->model) { // the window starts without the file's model
        m_sessionFile = textSessionFile;
        m_sessionFolder = QFileInfo(textSessionFile).absolutePath();
        shareFocus(selectionOf(*held.state)); // its pins too, which the settings do not keep
        updateWindowTitle();
    }
}

QString MainWindow::filedTextsFile() const
{
    return m_filedWork && m_filedWork->work.sameTexts(currentWork()) ? m_filedWork->file : QString();
}

void MainWindow::updateWindowTitle()
{
    QStringList names; // the session file, the model
    if (!m_sessionFile.isEmpty())
        names << QFileInfo(m_sessionFile).fileName();
    if (m_modelMode->isActive() && m_modelMode->model())
        names << QString::fromStdString(m_modelMode->model()->name());
    // [*]: where Qt puts the mark of unsaved changes (setWindowModified).
    setWindowTitle(names.isEmpty() ? u"Attention Explorer[*]"_qs : names.join(u" · "_qs) + u"[*] — Attention Explorer"_qs);
}

bool MainWindow::keepOrGiveUpWork(const QString& consequence)
{
    const auto atRisk = [this] { return hasUnsavedWork() || hasTextOnlyHere(); };
    if (!atRisk())
        return true;
    const QString since = m_sessionFile.isEmpty() ? u"since the start, the last example or the last save"_qs
                                                   : u"since "_qs + QFileInfo(m_sessionFile).fileName() + u" was opened or saved"_qs;
    const QString what = hasUnsavedWork() ? u"Your text or layer settings changed "_qs + since
                                          : u"Your text is in no session file, and it is not one of the examples"_qs;
    const auto answer = QMessageBox::question(this, u"Keep your changes?"_qs, what + u". "_qs + consequence,
                                              QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Cancel)
        return false;
    if (answer == QMessageBox::Discard)
        return true;
    save();
    return !atRisk(); // saved, unless the dialog was cancelled or the save failed
}

QString MainWindow::sessionFolder() const
{
    // m_sessionFolder is the open session's folder, if one is open. A folder that is gone
    // (or a Documents never made) would be offered as a file name.
    for (const QString& folder : {m_sessionFolder, QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation)})
        if (!folder.isEmpty() && QFileInfo(folder).isDir())
            return folder;
    return QDir::homePath();
}

void MainWindow::newSession()
{
    const QString andModel = m_modelMode->isActive() ? u", without the model"_qs : QString();
    if (!keepOrGiveUpWork(u"A new session starts again from the first sentence and the default settings"_qs + andModel + u'.'))
        return;
    SessionState fresh;
    fresh.text = Settings::defaultText();
    applySession(fresh);
    markStartingPoint(QString());
    statusBar()->showMessage(u"New session: the first sentence and the default settings."_qs, 5000);
}

void MainWindow::openSessionDialog()
{
    if (!keepOrGiveUpWork(u"The session you open replaces the text and the layer settings."_qs))
        return;
    const QString path = QFileDialog::getOpenFileName(this, u"Open session"_qs, sessionFolder(),
                                                      u"Attention Explorer session (*.json);;All files (*)"_qs);
    if (!path.isEmpty())
        openSession(path);
}

void MainWindow::save()
{
    if (m_sessionFile.isEmpty())
        saveSessionAs();
    else
        saveSession(m_sessionFile);
}

void MainWindow::saveSessionAs()
{
    // The default suffix goes on a bare name before the dialog checks for a file to
    // overwrite: "lesson" asks before it replaces lesson.json.
    QFileDialog dialog(this, u"Save session"_qs);
    dialog.setAcceptMode(QFileDialog::AcceptSave);
    dialog.setNameFilter(u"Attention Explorer session (*.json)"_qs);
    dialog.setDefaultSuffix(u"json"_qs);
    dialog.selectFile(m_sessionFile.isEmpty() ? sessionFolder() + u"/session.json"_qs : m_sessionFile);
    if (dialog.exec() == QDialog::Accepted && !dialog.selectedFiles().isEmpty())
        saveSession(dialog.selectedFiles().constFirst());
}
