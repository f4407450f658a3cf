// The main window's menus, the list of its keys (F1), and the examples it offers.
#include "main_window.h"

#include "control_panel.h"
#include "model/model_mode.h"

#include <QAbstractSpinBox>
#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCheckBox>
#include <QCoreApplication>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QScreen>
#include <QStatusBar>
#include <QTextBrowser>
#include <QTextDocument>
#include <QUndoStack>
#include <QVBoxLayout>

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(u"&File"_qs);
    file->setToolTipsVisible(true); // what Save does, what Open model opens
    QAction* newAction = file->addAction(u"&New session"_qs, this, &MainWindow::newSession);
    newAction->setShortcut(QKeySequence(u"Ctrl+N"_qs));
    newAction->setToolTip(u"The first sentence and the default settings again, for the next lesson"_qs);
    QAction* open = file->addAction(u"&Open session…"_qs, this, &MainWindow::openSessionDialog);
    open->setShortcut(QKeySequence(u"Ctrl+O"_qs));
    QAction* save = file->addAction(u"&Save session"_qs, this, &MainWindow::save);
    save->setShortcut(QKeySequence(u"Ctrl+S"_qs));
    save->setToolTip(u"Into the session's file; the first time, asks where"_qs);
    QAction* saveAs = file->addAction(u"Save session &as…"_qs, this, &MainWindow::saveSessionAs);
    saveAs->setShortcut(QKeySequence(u"Ctrl+Shift+S"_qs));
    file->addSeparator();
    QAction* openModelAction = file->addAction(u"Open &model…"_qs, this, [this] {
        const QString folder = QFileDialog::getExistingDirectory(
            this, u"Open model (a folder with config.json, model.safetensors and the tokenizer)"_qs,
            m_modelMode->folder());
        if (!folder.isEmpty())
            openModel(folder);
    });
    openModelAction->setShortcut(QKeySequence(u"Ctrl+Shift+O"_qs));
    openModelAction->setToolTip(u"Show the attention of a trained GPT-2 or BERT model"_qs);
    m_closeModel = file->addAction(u"&Back to sandbox"_qs, this, &MainWindow::closeModel);
    m_closeModel->setEnabled(false);
    file->addSeparator();
    QAction* exportAction = file->addAction(u"&Export view…"_qs, this, &MainWindow::exportDialog);
    exportAction->setShortcut(QKeySequence(u"Ctrl+E"_qs));
    m_titleInExports = file->addAction(u"Title line in exports"_qs);
    m_titleInExports->setCheckable(true);
    m_titleInExports->setChecked(true);
    connect(m_titleInExports, &QAction::toggled, this, &MainWindow::applyAppearance);
    file->addSeparator();
    QAction* quit = file->addAction(u"&Quit"_qs, this, &QWidget::close);
    quit->setShortcut(QKeySequence(u"Ctrl+Q"_qs));

    QMenu* edit = menuBar()->addMenu(u"&Edit"_qs);
    // The layer's settings; the text box keeps Ctrl+Z for its own text while it has focus.
    QAction* undo = m_controls->settingsHistory()->createUndoAction(this, u"&Undo"_qs);
    undo->setShortcuts(QKeySequence::Undo);
    edit->addAction(undo);
    QAction* redo = m_controls->settingsHistory()->createRedoAction(this, u"&Redo"_qs);
    // The text box's own keys, so that one key redoes in either; and Ctrl+Y, which a class
    // used to other desktops presses, where this one binds it to nothing.
    QList<QKeySequence> redoKeys = QKeySequence::keyBindings(QKeySequence::Redo);
    if (!redoKeys.contains(QKeySequence(u"Ctrl+Y"_qs)))
        redoKeys << QKeySequence(u"Ctrl+Y"_qs);
    redo->setShortcuts(redoKeys);
    edit->addAction(redo);
    // While a text field has the keys, Ctrl+Z is its own: the menu does not claim it there.
    connect(qApp, &QApplication::focusChanged, undo, [undo, redo, redoKeys](QWidget*, QWidget* now) { // redo outlives undo
        const bool textField = qobject_cast<QPlainTextEdit*>(now)
                               || (qobject_cast<QLineEdit*>(now) && !qobject_cast<QAbstractSpinBox*>(now->parentWidget()));
        undo->setShortcuts(textField ? QList<QKeySequence>() : QKeySequence::keyBindings(QKeySequence::Undo));
        redo->setShortcuts(textField ? QList<QKeySequence>() : redoKeys);
    });
    edit->addSeparator();
    QAction* copy = edit->addAction(u"&Copy view as image"_qs, this, &MainWindow::copyImage);
    copy->setShortcut(QKeySequence::Copy); // the text field keeps Ctrl+C while it has focus

    QMenu* viewMenu = menuBar()->addMenu(u"&View"_qs);
    viewMenu->setToolTipsVisible(true);
    for (const ViewKind& kind : viewKinds()) {
        QAction* action = viewMenu->addAction(kind.name, this, [this, id = kind.id] { showView(id); });
        action->setShortcut(QKeySequence(u"Ctrl+"_qs + QString::number(int(kind.id) + 1)));
    }
    // A model's own tabs, from the next number on; usable while a model is open.
    for (const ModelViewKind& kind : modelViewKinds()) {
        QAction* action = viewMenu->addAction(kind.name, this, [this, id = kind.id] { showModelView(id); });
        action->setShortcut(QKeySequence(u"Ctrl+"_qs + QString::number(int(viewKinds().size()) + int(kind.id) + 1)));
        action->setEnabled(false);
        m_modelViewActions << action;
    }
    viewMenu->addSeparator();
    m_controlsAction = viewMenu->addAction(u"&Controls"_qs);
    m_controlsAction->setCheckable(true);
    m_controlsAction->setChecked(true);
    m_controlsAction->setShortcut(QKeySequence(Qt::Key_F9));
    m_controlsAction->setToolTip(u"The text and the layer's settings beside the views; in presentation mode, "
                                 u"to change them in front of the class"_qs);
    connect(m_controlsAction, &QAction::toggled, m_side, &QWidget::setVisible);
    QAction* stats = m_statsDock->toggleViewAction();
    stats->setText(u"Head &statistics"_qs);
    stats->setShortcut(QKeySequence(Qt::Key_F8)); // beside F9: room for the Steps on a small screen
    viewMenu->addAction(stats);
    m_presentationAction = viewMenu->addAction(u"&Presentation mode"_qs);
    m_presentationAction->setCheckable(true);
    m_presentationAction->setShortcut(QKeySequence(u"Ctrl+Shift+P"_qs));
    m_presentationAction->setToolTip(u"Large type, thick lines, high contrast, full screen: for a projector"_qs);
    connect(m_presentationAction, &QAction::toggled, this, &MainWindow::setPresentationMode);
    QAction* full = viewMenu->addAction(u"&Full screen"_qs, this, [this] {
        setWindowState(windowState() ^ Qt::WindowFullScreen);
    });
    full->setShortcut(QKeySequence(Qt::Key_F11));
    QMenu* themes = viewMenu->addMenu(u"&Theme"_qs);
    auto* group = new QActionGroup(this);
    const std::pair<Theme, QString> choices[] = {{Theme::System, u"Follow the system"_qs},
                                                 {Theme::Light, u"Light"_qs},
                                                 {Theme::Dark, u"Dark"_qs}};
    for (const auto& [theme, name] : choices) {
        QAction* action = themes->addAction(name, this, [this, theme = theme] { setTheme(theme); });
        action->setCheckable(true);
        action->setChecked(theme == Theme::System);
        m_themeActions[theme] = action;
        group->addAction(action);
    }

    buildExamplesMenu();

    QMenu* help = menuBar()->addMenu(u"&Help"_qs);
    help->addAction(u"&Keyboard and mouse"_qs, this, &MainWindow::showShortcuts)->setShortcut(QKeySequence::HelpContents);
    help->addAction(u"&About Attention Explorer"_qs, this, [this] {
        QMessageBox::about(this, u"About Attention Explorer"_qs,
                           u"<p><b>Attention Explorer "_qs + QCoreApplication::applicationVersion()
                               + u"</b></p><p>Multi-head attention, softmax(QKᵀ/√dₖ)V, computed live and shown "
                                 u"head by head, step by step, with every number.</p><p>Built with Qt "_qs
                               + QString::fromLatin1(qVersion()) + u", OpenBLAS and Vulkan.</p>"_qs);
    });
}

void MainWindow::showShortcuts()
{
    // Every menu action that has a key, read from the menus themselves, then the labels'
    // underlined letters, then the views' own keys.
    QString rows;
    const auto row = [&rows](const QString& keys, const QString& what) {
        rows += u"<tr><td style='padding-right:16px'><b>"_qs + keys.toHtmlEscaped() + u"</b></td><td>"_qs
                + what.toHtmlEscaped() + u"</td></tr>"_qs;
    };
    for (QAction* entry : menuBar()->actions()) {
        const QMenu* menu = entry->menu();
        if (!menu)
            continue;
        for (QAction* action : menu->actions())
            if (!action->shortcut().isEmpty())
                row(action->shortcut().toString(QKeySequence::NativeText),
                    QString(menu->title()).remove(u'&') + u" → "_qs + QString(action->text()).remove(u'&')
                        + (action->isEnabled() ? QString() : u" (not now)"_qs));
    }
    for (const QLabel* label : findChildren<QLabel*>())
        if (const QKeySequence keys = QKeySequence::mnemonic(label->text()); label->buddy() && !keys.isEmpty())
            row(keys.toString(QKeySequence::NativeText),
                u"go to "_qs + QString(label->text()).remove(u'&')
                    + (label->isVisibleTo(this) && label->buddy()->isEnabled() ? QString() : u" (not now)"_qs));
    for (const QCheckBox* box : findChildren<QCheckBox*>())
        if (const QKeySequence keys = QKeySequence::mnemonic(box->text()); !keys.isEmpty())
            row(keys.toString(QKeySequence::NativeText),
                u"switch "_qs + QString(box->text()).remove(u'&') + (box->isEnabled() ? QString() : u" (not now)"_qs));
    row(u"Click"_qs, u"a head among all heads: open it, its query and key chosen (a query's name: that query in the "
                      u"selected head); elsewhere: pin a query (and key)"_qs);
    row(u"Enter"_qs, u"in the heads: open the selected head in the head detail, as a click does"_qs);
    row(u"Ctrl+click"_qs, u"pin several queries (head detail, token links)"_qs);
    row(u"Drag"_qs, u"over the head detail: zoom in to that region"_qs);
    row(u"Double-click"_qs, u"the head detail: the whole matrix again; a head in the token links' legend: that head alone"_qs);
    row(u"+, −"_qs, u"in the head detail: zoom in, out around the selected cell"_qs);
    row(u"S"_qs, u"in the token links: the selected head alone (again: every head)"_qs);
    row(u"Esc"_qs, u"unpin the pinned queries, then zoom back out"_qs);
    row(u"↑ ↓  ← →"_qs, u"in a view: the selected query, the selected key"_qs);
    row(u"Page Up, Page Down"_qs, u"in a view: the previous head, the next head"_qs);
    row(u"Enter, double-click"_qs, u"a row of the head statistics: select that head"_qs);
    row(u"Hover"_qs, u"a cell: its exact number in a tooltip"_qs);
    // A list that scrolls, in a dialog that fits the screen: a message box grew past a
    // small screen's bottom edge, its Close button with it.
    auto* dialog = new QDialog(this);
    dialog->setObjectName(u"shortcuts"_qs);
    dialog->setWindowTitle(u"Keyboard and mouse"_qs);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    auto* list = new QTextBrowser;
    list->setHtml(u"<table>"_qs + rows + u"</table>"_qs);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    auto* layout = new QVBoxLayout(dialog);
    layout->addWidget(list);
    layout->addWidget(buttons);
    QTextDocument* document = list->document();
    document->setTextWidth(document->idealWidth()); // the table's own width, each row one line
    const QSize whole = document->size().toSize() + QSize(48, buttons->sizeHint().height() + 64);
    dialog->resize(whole.boundedTo(screen()->availableGeometry().size() * 0.9));
    dialog->open();
}

void MainWindow::buildExamplesMenu()
{
    QMenu* menu = menuBar()->addMenu(u"E&xamples"_qs);
    const ExamplesResult loaded = examples::load();
    m_examples = loaded.examples;
    m_examplesError = loaded.error;
    if (!loaded.error.isEmpty()) {
        menu->addAction(loaded.error)->setEnabled(false);
        return;
    }
    for (const Example& example : m_examples) {
        QAction* action = menu->addAction(example.title, this, [this, example] {
            if (keepOrGiveUpWork(u"The example replaces the text."_qs))
                applyExample(example);
        });
        action->setToolTip(example.note);
        action->setStatusTip(example.note);
    }
}

void MainWindow::applyExample(const Example& example)
{
    m_documentFrom = m_compute.latestSubmitted() + 1;
    m_controls->setInputs(example.text, m_controls->config()); // the settings, and their history, stay
    m_controls->setSourceText(example.sourceText.value_or(QString()));
    Focus focus = m_focus; // pins of the old text mean nothing in the new one
    focus.pinnedQueries.clear();
    focus.selectedKey = focus.hoverQuery = focus.hoverKey = -1;
    focus.zoom = QRect();
    shareFocus(focus);
    recompute();
    m_sessionFile.clear(); // the window no longer shows that file
    markWorkSaved(); // the example is at hand again in the menu
    if (!example.note.isEmpty())
        statusBar()->showMessage(example.title + u": "_qs + example.note, 15000);
}
