#include "main_window.h"
#include "theme.h"

#include "control_panel.h"
#include "model/model_export.h"
#include "model/model_grid_panel.h"
#include "model/model_mode.h"
#include "views/head_stats_model.h"
#include "views/model_view_widget.h"
#include "views/paint_common.h"
#include "views/steps_view.h"
#include "views/view_widget.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QSignalBlocker>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QStyle>
#include <QStyleFactory>
#include <QTabWidget>
#include <QTableView>
#include <QTextBrowser>
#include <QTextDocument>
#include <QVBoxLayout>

#include <algorithm>

namespace {

QString millis(double ms)
{
    return QString::number(ms, 'f', ms < 10 ? 2 : 1) + u" ms"_qs;
}

} // namespace

MainWindow::MainWindow(const Settings& settings, QWidget* parent) : QMainWindow(parent)
{
    setWindowIcon(QIcon(u":/icons/attention-explorer.svg"_qs));

    m_modelMode = std::make_unique<ModelMode>();
    m_controls = new ControlPanel;
    m_controls->setInputs(settings.text, settings.config);
    m_controls->setSourceText(settings.sourceText);
    m_controls->setBackend(settings.backend);
    m_controls->setDisplay(settings.colorMap, WeightFilter{settings.keepShare, settings.hideFirst}, settings.unitColorScale);
    m_exportFolder = settings.exportFolder.isEmpty() ? QStandardPaths::writableLocation(QStandardPaths::PicturesLocation)
                                                     : settings.exportFolder;
    m_exportFormat = settings.exportFormat;
    m_sessionFolder = settings.sessionFolder;
    m_controls->setDetailHead(settings.detailHead);
    auto* scroll = new QScrollArea;
    m_side = scroll;
    scroll->setWidget(m_controls);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setMinimumWidth(m_controls->sizeHint().width() + 20);

    buildViews();

    m_error = new QLabel;
    m_error->setObjectName(u"error"_qs);
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->setStyleSheet(u"QLabel { background: #b3261e; color: white; padding: 6px; border-radius: 3px; }"_qs);
    m_error->hide();

    auto* right = new QWidget;
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_error);
    rightLayout->addWidget(m_tabs, 1);

    auto* splitter = new QSplitter;
    splitter->addWidget(scroll);
    splitter->addWidget(right);
    splitter->setStretchFactor(1, 1);
    setCentralWidget(splitter);

    m_status = new QLabel;
    m_status->setObjectName(u"status"_qs);
    statusBar()->addWidget(m_status, 1);
    // A computation that takes longer than a keystroke's worth (a pasted book) says so.
    m_busy = new QProgressBar;
    m_busy->setObjectName(u"busy"_qs);
    m_busy->setRange(0, 0); // no steps to count: Qt animates it
    m_busy->setMaximumWidth(160);
    m_busy->setFormat(QString());
    m_busy->setToolTip(u"Computing the new text; the views show the last result until then"_qs);
    m_busy->hide();
    statusBar()->addPermanentWidget(m_busy);
    m_busyDelay.setSingleShot(true);
    m_busyDelay.setInterval(250);
    // A crash or a killed session then loses at most the last two seconds of work.
    m_rememberSoon.setSingleShot(true);
    m_rememberSoon.setInterval(2000);
    connect(&m_rememberSoon, &QTimer::timeout, this, [this] {
        QSettings store;
        currentSettings().save(store);
    });
    connect(&m_busyDelay, &QTimer::timeout, this, [this] { m_busy->setVisible(!caughtUp()); });

    buildHeadStatsDock();
    buildMenus();
    buildModelMode();

    connect(&m_compute, &ComputeService::finished, this, &MainWindow::onFinished);
    connect(&m_compute, &ComputeService::failed, this, &MainWindow::onFailed);
    connect(m_controls, &ControlPanel::inputsChanged, this, &MainWindow::recompute);
    connect(m_controls, &ControlPanel::displayChanged, this, &MainWindow::applyDisplay);
    connect(m_controls, &ControlPanel::detailHeadChanged, this, &MainWindow::selectHead);

    {
        Focus focus;
        focus.head = settings.detailHead;
        shareFocus(focus);
    }
    for (const ViewKind& kind : viewKinds())
        if (kind.key == settings.view)
            showView(kind.id);
    if (!settings.geometry.isEmpty())
        restoreGeometry(settings.geometry);
    else if (QScreen* display = screen())
        resize(QSize(1400, 860).boundedTo(display->availableGeometry().size() * 0.95)); // a 1280 × 720 projector too
    if (!settings.windowState.isEmpty())
        restoreState(settings.windowState);

    if (settings.theme != Theme::System)
        setTheme(settings.theme);
    applyAppearance();
    applyDisplay();
    recompute();
    markWorkSaved(); // the remembered text comes back at every start: nothing to lose yet
    connect(m_controls, &ControlPanel::inputsChanged, this,
            [this] { setWindowModified(hasUnsavedWork()); });
}

MainWindow::~MainWindow() = default;

void MainWindow::buildViews()
{
    m_tabs = new QTabWidget;
    m_tabs->setDocumentMode(true);
    for (const ViewKind& kind : viewKinds()) {
        auto* widget = new ViewWidget(kind.id);
        widget->setObjectName(kind.key);
        m_views.push_back(widget);
        QWidget* page = widget;
        if (kind.id == ViewId::Steps) {
            // The steps need room for their numbers: a small window scrolls them instead.
            widget->setMinimumSize(stepsMinimumPageSize(false));
            auto* scroll = new QScrollArea;
            scroll->setWidget(widget);
            scroll->setWidgetResizable(true);
            scroll->setFrameShape(QFrame::NoFrame);
            scroll->setFocusPolicy(Qt::NoFocus); // the keys are the view's: they move the selection
            page = scroll;
        }
        m_viewPages.push_back(page);
        m_tabs->addTab(page, kind.name);
        // What the user selects in one view, every view follows.
        connect(widget, &ViewWidget::focusStateChanged, this, [this, widget] { shareFocus(widget->options().focus); });
        connect(widget, &ViewWidget::headActivated, this, [this](int head) {
            selectHead(head);
            showView(ViewId::HeadDetail);
        });
    }
    // A view brought up by its key or tab takes the keys (arrows, Page Up and Down), unless
    // the text or a control has them: typing goes on where it was.
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        const QWidget* focused = QApplication::focusWidget();
        if (ViewWidget* widget = currentView(); widget && !(focused && m_side->isAncestorOf(focused)))
            widget->setFocus();
    });
}

void MainWindow::buildHeadStatsDock()
{
    m_statsModel = new HeadStatsModel(this);
    m_statsSorted = new QSortFilterProxyModel(this);
    m_statsSorted->setSourceModel(m_statsModel);
    m_statsSorted->setSortRole(HeadStatsModel::SortRole);

    m_statsTable = new QTableView;
    m_statsTable->setObjectName(u"headStatsTable"_qs);
    m_statsTable->setModel(m_statsSorted);
    m_statsTable->setSortingEnabled(true);
    m_statsTable->sortByColumn(HeadStatsModel::Head, Qt::AscendingOrder);
    m_statsTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_statsTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_statsTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_statsTable->verticalHeader()->hide();
    // The words of the pattern take the spare width, not the last number (once 700 pixels wide).
    m_statsTable->horizontalHeader()->setSectionResizeMode(HeadStatsModel::Pattern, QHeaderView::Stretch);
    m_statsTable->setTabKeyNavigation(false); // Tab leaves the table; the arrow keys move within it
    m_statsTable->setToolTip(u"Click a column to sort; double-click a row (or press Enter) to select that head in every view."_qs);
    // activated: a double-click, or Enter on the current row.
    connect(m_statsTable, &QTableView::activated, this, [this](const QModelIndex& index) {
        const QModelIndex source = m_statsSorted->mapToSource(index);
        if (source.isValid() && std::size_t(source.row()) < m_statsModel->stats().size())
            selectHead(m_statsModel->stats()[std::size_t(source.row())].head);
    });

    m_statsDock = new QDockWidget(u"Head statistics"_qs, this);
    m_statsDock->setObjectName(u"headStats"_qs);
    m_statsDock->setWidget(m_statsTable);
    addDockWidget(Qt::BottomDockWidgetArea, m_statsDock);
    resizeDocks({m_statsDock}, {150}, Qt::Vertical); // a few rows; the views keep the room
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(u"&File"_qs);
    file->setToolTipsVisible(true); // what Save does, what Open model opens
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
    viewMenu->addAction(m_statsDock->toggleViewAction());
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
    // Every menu action that has a key, read from the menus themselves, then the views' own.
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
    row(u"Click"_qs, u"a head among all heads: open it, its query and key chosen; elsewhere: pin a query (and key)"_qs);
    row(u"Ctrl+click"_qs, u"pin several queries (head detail, token links)"_qs);
    row(u"Drag"_qs, u"over the head detail: zoom in to that region"_qs);
    row(u"Double-click"_qs, u"the head detail: the whole matrix again; a head in the token links' legend: that head alone"_qs);
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

ViewWidget* MainWindow::view(ViewId id) const
{
    for (ViewWidget* widget : m_views)
        if (widget->viewId() == id)
            return widget;
    return nullptr;
}

ViewWidget* MainWindow::currentView() const
{
    const auto page = std::find(m_viewPages.begin(), m_viewPages.end(), m_tabs->currentWidget());
    return page == m_viewPages.end() ? nullptr : m_views[std::size_t(page - m_viewPages.begin())];
}

void MainWindow::showView(ViewId id)
{
    for (std::size_t i = 0; i < m_views.size(); ++i)
        if (m_views[i]->viewId() == id)
            m_tabs->setCurrentWidget(m_viewPages[i]);
}

QString MainWindow::errorText() const
{
    return m_error->isHidden() ? QString() : m_error->text();
}

QString MainWindow::shownText() const
{
    return m_modelMode->isActive() ? m_modelMode->resultText() : m_traceTexts.text;
}

bool MainWindow::isIdle() const
{
    return m_answered >= m_compute.latestSubmitted() && m_modelMode->isIdle();
}

attn::Request MainWindow::currentRequest() const
{
    attn::Request request;
    request.text = m_controls->text().toStdString();
    // A source of only spaces has no tokens to attend to: self-attention.
    const QString source = m_controls->sourceText();
    if (!source.trimmed().isEmpty())
        request.sourceText = source.toStdString();
    request.config = m_controls->config();
    request.backend = m_controls->backend();
    session::applyCausalWithinOneText(request);
    return request;
}

void MainWindow::recompute()
{
    m_rememberSoon.start();
    const QString text = m_controls->text(), source = m_controls->sourceText();
    // Model mode keeps the newest text, so that a model opened later runs it; while a
    // model is open the text is the model's alone.
    m_modelMode->setText(text);
    if (m_modelMode->isActive())
        return;
    if (!m_trace)
        for (ViewWidget* widget : m_views)
            widget->setEmptyText(u"Computing…"_qs);
    const quint64 generation = m_compute.submit(currentRequest());
    if (!m_busyDelay.isActive() && !m_busy->isVisible())
        m_busyDelay.start(); // from the first request not yet answered, not from each keystroke
    // The title line names both texts of cross-attention: target ← source.
    m_textsAsked[generation] = {text, source.trimmed().isEmpty() ? QString() : source};
}

void MainWindow::onFinished(quint64 generation, TracePtr trace, double elapsedMs)
{
    if (generation <= m_answered)
        return; // an older answer than one already shown
    m_answered = generation;
    hideBusyOnceCaughtUp();
    auto asked = m_textsAsked.find(generation);
    m_traceTexts = asked != m_textsAsked.end() ? asked->second : AskedTexts();
    m_traceNote.clear();
    m_textsAsked.erase(m_textsAsked.begin(), m_textsAsked.upper_bound(generation));
    if (m_modelMode->isActive())
        return; // asked before the model opened: the views show the model now

    m_trace = std::move(trace);
    m_error->hide();
    m_error->clear();
    applyAppearance(); // the title line follows the trace's text
    m_statsModel->setTrace(m_trace.get());
    for (ViewWidget* widget : m_views)
        widget->setTrace(m_trace, m_statsModel->sharedStats());
    // The views dropped pins of tokens this text lacks; once the trace is the one the
    // controls ask for, the shared focus drops them too (an older answer must not).
    if (generation == m_compute.latestSubmitted() && !m_views.empty())
        m_focus = m_views.front()->options().focus;
    showSelectedHeadInStats();
    m_statsTable->resizeColumnsToContents();

    const attn::Trace& t = *m_trace;
    QString status = paintkit::countOf(qint64(t.queryCount()), u"token"_qs);
    if (t.isCross())
        status += u" × "_qs + paintkit::countOf(qint64(t.keyCount()), u"source token"_qs);
    status += u"  ·  backend "_qs + QString::fromStdString(t.backend) + u"  ·  compute "_qs + millis(t.wallMs);
    if (t.gpuMs >= 0)
        status += u" (GPU "_qs + millis(t.gpuMs) + u')';
    status += u"  ·  edit to result "_qs + millis(elapsedMs);
    if (!t.fallbackReason.empty())
        status += u"  ·  "_qs + QString::fromStdString(t.fallbackReason);
    m_status->setText(status);
    emit traceShown();
}

bool MainWindow::caughtUp() const
{
    return m_answered >= m_compute.latestSubmitted();
}

// Typing ahead of the computations keeps the bar as it is: shown by the timer, hidden
// once the last request is answered.
void MainWindow::hideBusyOnceCaughtUp()
{
    if (!caughtUp())
        return;
    m_busyDelay.stop();
    m_busy->hide();
}

void MainWindow::onFailed(quint64 generation, const QString& message)
{
    if (generation <= m_answered)
        return;
    m_answered = generation;
    hideBusyOnceCaughtUp();
    m_textsAsked.erase(m_textsAsked.begin(), m_textsAsked.upper_bound(generation));
    if (m_modelMode->isActive())
        return;
    showFailure(message, m_trace != nullptr);
}

void MainWindow::showFailure(const QString& message, bool earlierResult)
{
    // The last good picture stays; the message says why it is not updated.
    m_error->setText(earlierResult ? message + u"  (Showing the last result that worked.)"_qs : message);
    if (!m_trace)
        for (ViewWidget* widget : m_views)
            widget->setEmptyText(u"Nothing computed yet: see the message above."_qs);
    m_error->show();
    emit errorShown(message);
}

void MainWindow::shareFocus(const Focus& focus)
{
    m_focus = focus;
    for (ViewWidget* widget : m_views)
        if (!(widget->options().focus == focus))
            widget->setFocusState(focus);
    if (m_controls->detailHead() != focus.head)
        m_controls->setDetailHead(focus.head);
    showSelectedHeadInStats();
    // A head chosen in a sandbox view (or the detail-head box) is the model's head too.
    if (m_modelMode->isActive() && m_modelMode->focus().head != focus.head)
        m_modelMode->selectHead(m_modelMode->focus().layer, focus.head);
}

// The statistics table's current row is the selected head's, wherever sorting put it.
void MainWindow::showSelectedHeadInStats()
{
    const auto& stats = m_statsModel->stats();
    for (std::size_t row = 0; row < stats.size(); ++row)
        if (stats[row].head == m_focus.head) {
            const QModelIndex shown = m_statsSorted->mapFromSource(m_statsModel->index(int(row), 0));
            if (shown.row() != m_statsTable->currentIndex().row())
                m_statsTable->setCurrentIndex(shown);
            return;
        }
}

void MainWindow::selectHead(int head)
{
    Focus focus = m_focus;
    if (focus.head != head)
        focus.zoom = QRect(); // a zoom region belongs to the head it was drawn on
    focus.head = head;
    shareFocus(focus);
}

void MainWindow::applyAppearance()
{
    Appearance look = Appearance::fromPalette(palette(), font());
    look.colorMap = m_controls->colorMap();
    look.unitColorScale = m_controls->unitColorScale();
    look.title = m_titleInExports ? m_titleInExports->isChecked() : true;
    look.text = m_traceTexts.text;
    look.source = m_traceTexts.source;
    look.note = m_traceNote;
    if (m_presentation)
        look = Appearance::forPresentation(look);
    for (ViewWidget* widget : m_views)
        widget->setAppearance(look);
    Appearance modelLook = look; // the model's own views name the model and layers in their facts
    modelLook.note.clear();
    m_modelMode->setAppearance(modelLook);
}

void MainWindow::applyDisplay()
{
    applyAppearance();
    for (ViewWidget* widget : m_views)
        widget->setFilter(m_controls->filter());
    m_modelMode->setFilter(m_controls->filter());
}

void MainWindow::setTheme(Theme theme)
{
    m_theme = theme;
    if (QAction* action = m_themeActions[theme]; action && !action->isChecked())
        action->setChecked(true); // the menu shows a theme set from the settings too
    if (theme == Theme::Dark) {
        QApplication::setStyle(QStyleFactory::create(u"Fusion"_qs));
        QApplication::setPalette(darkPalette());
    } else if (theme == Theme::Light) {
        QApplication::setStyle(QStyleFactory::create(u"Fusion"_qs));
        QApplication::setPalette(QApplication::style()->standardPalette());
    } else {
        QApplication::setPalette(QPalette());
    }
    applyAppearance();
}

void MainWindow::setPresentationMode(bool on)
{
    if (on == m_presentation)
        return;
    m_presentation = on;
    view(ViewId::Steps)->setMinimumSize(stepsMinimumPageSize(on)); // larger type wants a larger page
    if (m_presentationAction && m_presentationAction->isChecked() != on) {
        const QSignalBlocker block(m_presentationAction);
        m_presentationAction->setChecked(on);
    }
    // The board gets the whole screen: a 720p projector has no room for the controls
    // beside 22 px type. Leaving presentation mode brings them back as they were.
    if (on) {
        m_statsWasShown = m_statsDock->isVisible();
        m_layoutBeforePresentation = saveState();
        m_side->hide();
        m_statsDock->hide();
    } else {
        m_side->show();
        m_statsDock->setVisible(m_statsWasShown);
    }
    if (on) {
        m_stateBeforePresentation = windowState();
        m_geometryBeforePresentation = saveGeometry();
        // Without a window manager (a bare X server on a projector PC) the state alone
        // does not resize the window: fill the screen ourselves first (setting the
        // geometry after the state would clear the state).
        if (QScreen* display = screen())
            setGeometry(display->geometry());
        setWindowState(windowState() | Qt::WindowFullScreen);
    } else {
        setWindowState(m_stateBeforePresentation);
        restoreGeometry(m_geometryBeforePresentation);
    }
    applyAppearance();
}

void MainWindow::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::ApplicationPaletteChange)
        applyAppearance(); // light or dark follows the system palette
    QMainWindow::changeEvent(event);
}

Figure MainWindow::figure(ViewId id, QSize size, double scale) const
{
    Figure figure;
    if (ViewWidget* widget = view(id)) {
        figure.paint = widget->kind().paint;
        figure.options = widget->options();
    }
    figure.options.look.interactive = false;
    figure.size = size;
    figure.scale = scale;
    return figure;
}

Figure MainWindow::shownFigure(const ViewWidget& widget, double scale) const
{
    Figure shown = figure(widget.viewId(), widget.size(), scale);
    shown.cropToContent = true;
    return shown;
}

namespace {

// A model view's figure as its widget shows it, for the export and the clipboard alike.
ModelFigure modelFigureOf(ModelViewId id, const ModelViewWidget& widget, double scale)
{
    ModelFigure figure;
    figure.view = id;
    figure.options = widget.options();
    figure.options.look.interactive = false;
    figure.focus = widget.modelFocus();
    figure.size = widget.size();
    figure.scale = scale;
    figure.cropToContent = true;
    return figure;
}

} // namespace

QString MainWindow::exportCurrentView(const QString& path, double scale)
{
    if (const std::optional<ModelViewId> id = currentModelView()) {
        const ModelViewWidget* widget = modelViewWidget(*id);
        if (!widget->result())
            return u"There is nothing to export yet."_qs;
        return exportModelFigure(modelFigureOf(*id, *widget, scale), *widget->result(), path);
    }
    ViewWidget* widget = currentView();
    if (!widget || !widget->trace())
        return u"There is nothing to export yet."_qs;
    return exportFigure(shownFigure(*widget, scale), *widget->trace(), path);
}

QString MainWindow::exportFileName() const
{
    if (const std::optional<ModelViewId> id = currentModelView())
        return modelViewKind(*id).key;
    const ViewWidget* widget = currentView();
    if (!widget)
        return u"attention"_qs;
    if (widget->kind().id == ViewId::HeadDetail)
        return u"head-"_qs + QString::number(m_focus.head + 1);
    return widget->kind().key;
}

void MainWindow::exportDialog()
{
    // Named after the view, in the folder and format of the last export: a series of
    // figures for one paper goes to one place without retyping it. The default suffix goes
    // on a bare name before the dialog checks for a file to overwrite, and follows the type.
    const QString png = u"PNG image (*.png)"_qs, svg = u"SVG drawing (*.svg)"_qs;
    QFileDialog dialog(this, u"Export view"_qs, m_exportFolder);
    dialog.setAcceptMode(QFileDialog::AcceptSave);
    dialog.setNameFilters({png, svg});
    dialog.selectNameFilter(m_exportFormat == u"svg" ? svg : png);
    dialog.setDefaultSuffix(m_exportFormat);
    dialog.selectFile(exportFileName() + u'.' + m_exportFormat);
    connect(&dialog, &QFileDialog::filterSelected, &dialog,
            [&dialog, svg](const QString& filter) { dialog.setDefaultSuffix(filter == svg ? u"svg"_qs : u"png"_qs); });
    QString path;
    for (;;) {
        if (dialog.exec() != QDialog::Accepted || dialog.selectedFiles().isEmpty())
            return;
        path = dialog.selectedFiles().constFirst();
        const QString problem = exportPathProblem(path);
        if (problem.isEmpty())
            break;
        // Said before the scale is asked for, and the dialog comes back with the name to mend.
        QMessageBox::warning(this, u"Cannot export there"_qs, problem);
        dialog.selectFile(QFileInfo(path).fileName());
    }
    double scale = 1.0;
    if (formatForPath(path) == FigureFormat::Png) {
        bool ok = false;
        const QStringList scales = {u"1×"_qs, u"2×"_qs, u"3×"_qs, u"4×"_qs};
        const QString chosen = QInputDialog::getItem(this, u"Export view"_qs, u"Pixel scale:"_qs, scales, 1, false, &ok);
        if (!ok)
            return;
        scale = scales.indexOf(chosen) + 1;
    }
    const QString error = exportCurrentView(path, scale);
    if (!error.isEmpty()) {
        showMessage(u"Export failed"_qs, error);
        return;
    }
    m_exportFolder = QFileInfo(path).absolutePath();
    m_exportFormat = formatForPath(path) == FigureFormat::Svg ? u"svg"_qs : u"png"_qs;
    statusBar()->showMessage(u"Saved "_qs + QDir::toNativeSeparators(path), 5000);
}

// Pasted into slides, a copy is often shown larger than on screen: twice the pixels (its
// resolution says so, so it pastes at the same size), or the screen's own where more.
double MainWindow::copyScale() const
{
    return std::max(2.0, devicePixelRatioF());
}

void MainWindow::copyImage()
{
    if (const std::optional<ModelViewId> id = currentModelView()) {
        const ModelViewWidget* widget = modelViewWidget(*id);
        if (!widget->result())
            return;
        QApplication::clipboard()->setImage(renderModelImage(modelFigureOf(*id, *widget, copyScale()), *widget->result()));
        statusBar()->showMessage(u"Copied the view as an image."_qs, 3000);
        return;
    }
    ViewWidget* widget = currentView();
    if (!widget || !widget->trace())
        return;
    QApplication::clipboard()->setImage(renderImage(shownFigure(*widget, copyScale()), *widget->trace()));
    statusBar()->showMessage(u"Copied the view as an image."_qs, 3000);
}

void MainWindow::showMessage(const QString& title, const QString& text)
{
    // Window-modal and opened without a nested event loop, so that nothing waits on it.
    if (m_message)
        m_message->deleteLater();
    m_message = new QMessageBox(QMessageBox::Warning, title, text, QMessageBox::Ok, this);
    m_message->setAttribute(Qt::WA_DeleteOnClose, false);
    m_message->open();
}

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
    state.colorMap = m_controls->colorMap();
    state.unitColorScale = m_controls->unitColorScale();
    state.filter = m_controls->filter();
    if (m_modelMode->isActive()) {
        // The model's folder and selection; the config stays the sandbox's, for going back.
        state.model = SessionModel{QFileInfo(m_modelMode->folder()).absoluteFilePath(), m_modelMode->focus().layer,
                                   m_modelMode->focus().head};
        if (const std::optional<ModelViewId> id = currentModelView())
            state.view = modelViewKind(*id).key;
    }
    return state;
}

void MainWindow::applySession(const SessionState& state)
{
    m_controls->setInputs(state.text, state.config);
    m_controls->setSourceText(state.sourceText.value_or(QString()));
    m_controls->setBackend(state.backend);
    m_controls->setDisplay(state.colorMap, state.filter, state.unitColorScale);
    // Token numbers are checked against the new trace when it arrives (views drop pins
    // beyond its tokens); a session of a different text must not keep stale ones.
    Focus focus;
    focus.head = state.head;
    if (state.query >= 0) {
        focus.pinnedQueries = {state.query};
        focus.selectedKey = state.key;
    }
    shareFocus(focus);
    for (const ViewKind& kind : viewKinds())
        if (kind.key == state.view)
            showView(kind.id);
    applyDisplay();
    if (state.model) {
        recompute(); // model mode keeps the text; the sandbox runs it until the model is open
        openModel(state.model->folder, state.model->layer, state.view, state.model->head);
    } else if (m_modelMode->isActive() || m_modelMode->isOpening()) {
        m_modelMode->close(); // back to the sandbox, which recomputes
    } else {
        recompute();
    }
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
    statusBar()->showMessage(u"Opened "_qs + QDir::toNativeSeparators(path), 5000);
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
    if (!sessionFile.isEmpty())
        m_sessionFolder = QFileInfo(sessionFile).absolutePath();
    markWorkSaved();
}

MainWindow::Work MainWindow::currentWork() const
{
    const QString source = m_controls->sourceText();
    return {m_controls->text(), source.trimmed().isEmpty() ? QString() : source, m_controls->config()};
}

bool MainWindow::hasUnsavedWork() const
{
    return currentWork() != m_savedWork;
}

void MainWindow::markWorkSaved()
{
    m_savedWork = currentWork();
    setWindowModified(false);
    updateWindowTitle();
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
    if (!hasUnsavedWork())
        return true;
    const QString since = m_sessionFile.isEmpty() ? u"since the start, the last example or the last save"_qs
                                                   : u"since "_qs + QFileInfo(m_sessionFile).fileName() + u" was opened or saved"_qs;
    const auto answer = QMessageBox::question(this, u"Keep your changes?"_qs,
                                              u"Your text or layer settings changed "_qs + since + u". "_qs + consequence,
                                              QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Cancel)
        return false;
    if (answer == QMessageBox::Discard)
        return true;
    save();
    return !hasUnsavedWork(); // saved, unless the dialog was cancelled or the save failed
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
    const QString suggested = m_sessionFile.isEmpty() ? sessionFolder() + u"/session.json"_qs : m_sessionFile;
    QString path = QFileDialog::getSaveFileName(this, u"Save session"_qs, suggested,
                                                u"Attention Explorer session (*.json)"_qs);
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += u".json"_qs;
    saveSession(path);
}

void MainWindow::applyExample(const Example& example)
{
    m_controls->setInputs(example.text, m_controls->config());
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

Settings MainWindow::currentSettings() const
{
    Settings s;
    s.text = m_controls->text();
    s.sourceText = m_controls->sourceText();
    s.config = m_controls->config();
    s.backend = m_controls->backend();
    s.colorMap = m_controls->colorMap();
    s.unitColorScale = m_controls->unitColorScale();
    s.theme = m_theme;
    s.keepShare = m_controls->filter().keepShare;
    s.hideFirst = m_controls->filter().hideFirst;
    if (ViewWidget* widget = currentView())
        s.view = widget->kind().key;
    s.detailHead = m_focus.head;
    s.exportFolder = m_exportFolder;
    s.exportFormat = m_exportFormat;
    s.sessionFolder = m_sessionFolder;
    // In presentation mode, the window as it was before: the next start is no projector.
    s.geometry = m_presentation ? m_geometryBeforePresentation : saveGeometry();
    s.windowState = m_presentation ? m_layoutBeforePresentation : saveState();
    return s;
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    // The text and settings come back at the next start whatever the answer; a session
    // file keeps only what is saved into it.
    if (!m_sessionFile.isEmpty()
        && !keepOrGiveUpWork(QFileInfo(m_sessionFile).fileName() + u" keeps only what is saved into it."_qs)) {
        event->ignore();
        return;
    }
    QSettings store;
    currentSettings().save(store);
    QMainWindow::closeEvent(event);
}

// ---- Model mode ----------------------------------------------------------------------

void MainWindow::buildModelMode()
{
    // The layer bar sits beside the tabs; ModelMode shows it only while a model is open.
    m_tabs->setCornerWidget(m_modelMode->layerBar(), Qt::TopRightCorner);
    ModelMode* mode = m_modelMode.get();
    connect(mode, &ModelMode::opened, this, &MainWindow::onModelOpened);
    connect(mode, &ModelMode::openFailed, this, &MainWindow::onModelOpenFailed);
    connect(mode, &ModelMode::failed, this, &MainWindow::onModelFailed);
    connect(mode, &ModelMode::closed, this, &MainWindow::onModelClosed);
    connect(mode, &ModelMode::resultChanged, this, &MainWindow::onModelResult);
    connect(mode, &ModelMode::selectionChanged, this, &MainWindow::onModelSelection);
    // A head clicked in the grid: ModelMode selects it (connected first), then Head detail shows it.
    connect(mode->gridPanel()->grid(), &ModelViewWidget::headActivated, this,
            [this] { showView(ViewId::HeadDetail); });
}

void MainWindow::openModel(const QString& folder, int layer, const QString& view, int head)
{
    m_modelPending = ModelChoice{layer, head, view};
    m_modelMode->setText(m_controls->text());
    m_modelMode->open(folder);
    statusBar()->showMessage(u"Opening "_qs + QDir::toNativeSeparators(folder) + u"…"_qs);
}

void MainWindow::closeModel()
{
    m_modelMode->close();
}

ModelViewWidget* MainWindow::modelViewWidget(ModelViewId id) const
{
    switch (id) {
    case ModelViewId::Grid: return m_modelMode->gridPanel()->grid();
    case ModelViewId::Rollout: return m_modelMode->rolloutView();
    case ModelViewId::NextToken: return m_modelMode->nextTokenView();
    }
    return nullptr;
}

QWidget* MainWindow::modelTab(ModelViewId id) const
{
    QWidget* page = id == ModelViewId::Grid ? static_cast<QWidget*>(m_modelMode->gridPanel()) : modelViewWidget(id);
    return m_tabs->indexOf(page) >= 0 ? page : nullptr;
}

void MainWindow::showModelView(ModelViewId id)
{
    if (QWidget* page = modelTab(id))
        m_tabs->setCurrentWidget(page);
}

std::optional<ModelViewId> MainWindow::currentModelView() const
{
    for (const ModelViewKind& kind : modelViewKinds())
        if (QWidget* page = modelTab(kind.id); page && page == m_tabs->currentWidget())
            return kind.id;
    return std::nullopt;
}

bool MainWindow::showViewKey(const QString& key)
{
    if (const std::optional<ModelViewId> id = parseModelViewKey(key); id && modelTab(*id)) {
        showModelView(*id);
        return true;
    }
    if (const std::optional<ViewChoice> choice = parseViewChoice(key, nullptr)) {
        showView(choice->id);
        if (choice->id == ViewId::HeadDetail)
            selectHead(choice->head);
        return true;
    }
    return false;
}

void MainWindow::onModelOpened(const QString& description)
{
    // The controls show the model's layer shape, disabled; the sandbox's settings wait.
    const attn::ModelConfig& config = m_modelMode->model()->config();
    attn::Config shown = m_controls->config();
    shown.heads = config.heads;
    shown.d_k = config.d_k();
    shown.d_v = 0; // same as dₖ
    shown.d_model = config.d_model;
    shown.causal = config.causal();
    shown.scaling = config.scaleScores ? attn::Scaling::InvSqrtDk : attn::Scaling::None;
    shown.temperature = 1.0f;
    m_controls->lockLayer(m_modelMode->controlsNote(), shown);
    // The model's tabs come first: the grid of every head is where a model is read from.
    if (!modelTab(ModelViewId::Grid)) {
        int index = 0;
        for (const ModelViewKind& kind : modelViewKinds()) {
            QWidget* page = kind.id == ModelViewId::Grid ? static_cast<QWidget*>(m_modelMode->gridPanel())
                                                         : modelViewWidget(kind.id);
            m_tabs->insertTab(index++, page, kind.name);
        }
    }
    m_closeModel->setEnabled(true);
    for (QAction* action : m_modelViewActions)
        action->setEnabled(true);
    m_error->hide();
    m_error->clear();
    updateWindowTitle();

    const ModelChoice choice = m_modelPending.value_or(ModelChoice{});
    m_modelPending.reset();
    m_modelMode->selectHead(std::max(0, choice.layer), choice.head >= 0 ? choice.head : m_focus.head);
    // A session may name a layer or head the model lacks; the nearest is shown, and said.
    QString adjusted;
    const int layers = m_modelMode->model()->config().layers, heads = m_modelMode->model()->config().heads;
    if (choice.layer >= layers)
        adjusted += u"  ·  layer "_qs + QString::number(choice.layer + 1) + u" asked for; it has "_qs
                    + QString::number(layers) + u", showing layer "_qs + QString::number(layers);
    if (choice.head >= heads)
        adjusted += u"  ·  head "_qs + QString::number(choice.head + 1) + u" asked for; it has "_qs
                    + QString::number(heads) + u", showing head "_qs + QString::number(heads);
    statusBar()->showMessage(u"Opened "_qs + description + adjusted, 15000);
    if (choice.view.isEmpty() || !showViewKey(choice.view))
        showModelView(ModelViewId::Grid);
}

void MainWindow::onModelOpenFailed(const QString& message)
{
    m_modelPending.reset();
    statusBar()->clearMessage();
    const QString kept = m_modelMode->isActive() ? u"  (The open model stays.)"_qs : u"  (The sandbox stays.)"_qs;
    m_error->setText(message + kept);
    m_error->show();
    emit errorShown(message);
}

void MainWindow::onModelFailed(const QString& message)
{
    showFailure(message, m_modelMode->result() != nullptr);
}

void MainWindow::onModelClosed()
{
    m_modelPending.reset();
    const bool wasOnModelTab = currentModelView().has_value();
    for (const ModelViewKind& kind : modelViewKinds())
        if (QWidget* page = modelTab(kind.id))
            m_tabs->removeTab(m_tabs->indexOf(page)); // the widgets stay ours for the next model
    if (wasOnModelTab)
        showView(ViewId::Heads);
    m_controls->unlockLayer();
    m_closeModel->setEnabled(false);
    for (QAction* action : m_modelViewActions)
        action->setEnabled(false);
    m_error->hide();
    m_error->clear();
    updateWindowTitle();
    statusBar()->showMessage(u"Back to the sandbox."_qs, 5000);
    recompute();
}

void MainWindow::onModelResult(double elapsedMs)
{
    m_modelElapsedMs = elapsedMs;
    m_error->hide();
    m_error->clear();
    showModelLayer();
}

void MainWindow::onModelSelection()
{
    showModelLayer();
    if (m_focus.head != m_modelMode->focus().head)
        selectHead(m_modelMode->focus().head);
}

void MainWindow::showModelLayer()
{
    std::shared_ptr<const attn::Trace> layer = m_modelMode->selectedLayerTrace();
    if (!layer)
        return; // no result yet: the views keep what they show
    const bool changed = layer != m_trace;
    if (changed) {
        m_trace = std::move(layer);
        const ModelResultPtr& result = m_modelMode->result();
        // The sandbox views' title names the layer, as the command line's export does.
        m_traceTexts = {m_modelMode->resultText(), QString()};
        m_traceNote = u"layer "_qs + QString::number(m_modelMode->focus().layer + 1) + u" of "_qs
                      + QString::fromStdString(result->trace->modelName);
        applyAppearance();
        m_statsModel->setTrace(m_trace.get());
        for (ViewWidget* widget : m_views)
            widget->setTrace(m_trace, m_statsModel->sharedStats());
        if (!m_views.empty())
            m_focus = m_views.front()->options().focus; // pins beyond this text's tokens are gone
        showSelectedHeadInStats();
        m_statsTable->resizeColumnsToContents();
    }
    updateModelStatus();
    if (changed)
        emit traceShown();
}

void MainWindow::updateModelStatus()
{
    const ModelResultPtr& result = m_modelMode->result();
    if (!result)
        return;
    const attn::ModelTrace& t = *result->trace;
    QString status = QString::fromStdString(t.modelName) + u"  ·  "_qs
                     + paintkit::countOf(qint64(t.tokenCount()), u"token"_qs) + u"  ·  layer "_qs + QString::number(m_modelMode->focus().layer + 1) + u" of "_qs
                     + QString::number(t.layerCount()) + u"  ·  backend "_qs + QString::fromStdString(t.backend)
                     + u"  ·  compute "_qs + millis(t.wallMs) + u"  ·  edit to result "_qs + millis(m_modelElapsedMs);
    if (!t.fallbackReason.empty())
        status += u"  ·  "_qs + QString::fromStdString(t.fallbackReason);
    m_status->setText(status);
}
