// The main window: the controls beside the views, the statistics dock, and the trace each
// edit brings, with the look that follows it. Its menus, figures, sessions and model mode
// are in main_window_menus, _export, _session and _model.cpp.
#include "main_window.h"

#include "control_panel.h"
#include "menu_keys_first.h"
#include "status_text.h"
#include "theme.h"
#include "token_marks.h"
#include "model/model_mode.h"
#include "views/head_stats_model.h"
#include "views/head_stats_table.h"
#include "views/paint_common.h"
#include "views/steps_view.h"
#include "views/view_widget.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
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
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace {

QString keysOf(const QAction* action)
{
    return action->shortcut().toString(QKeySequence::NativeText);
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
    m_exportPage = settings.exportPage;
    m_exportScale = settings.exportScale;
    m_sessionFolder = settings.sessionFolder;
    m_controls->setDetailHead(settings.detailHead);
    auto* scroll = new QScrollArea;
    m_side = scroll;
    scroll->setWidget(m_controls);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setFocusPolicy(Qt::NoFocus); // a tab stop that shows nothing and, holding the keys, kept them from the views
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
    // A message hides the result's line, as QStatusBar does, also when it came before the
    // window was shown (presentation mode from the command line): the two were painted
    // over each other then.
    connect(statusBar(), &QStatusBar::messageChanged, m_status, [this](const QString& message) {
        m_status->setVisible(message.isEmpty());
    });
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
    new MenuKeysFirst(this);
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
    const bool restored = !settings.geometry.isEmpty() && restoreGeometry(settings.geometry);
    // A geometry saved on a screen of another size (another monitor, another scale factor)
    // gives way to the first start's: Qt shrank the window at each such start, and kept it
    // small. Compared once restored, with the screen the window is on then.
    QScreen* display = screen();
    if (display && (!restored || (settings.geometryScreen.isValid() && settings.geometryScreen != display->geometry().size())))
        setGeometry(QStyle::alignedRect(Qt::LeftToRight, Qt::AlignCenter,
                                        QSize(1400, 860).boundedTo(display->availableGeometry().size() * 0.95), // a 1280 × 720 projector too
                                        display->availableGeometry()));
    if (!settings.windowState.isEmpty())
        restoreState(settings.windowState);

    if (settings.theme != Theme::System)
        setTheme(settings.theme);
    applyAppearance();
    applyDisplay();
    recompute();
    markRememberedWorkSaved(settings.textSessionFile);
    m_controls->textEdit()->setFocus(); // the user's first act is typing
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
            // ...so the page follows the selection instead: the query's row of the weights
            // (and the opened-up pair, where it fits) stays in sight in a small window.
            connect(widget, &ViewWidget::selectionMovedByKeys, scroll, [widget, scroll] {
                const QRect area = widget->selectionInSight(scroll->viewport()->size()).toAlignedRect();
                if (area.isEmpty())
                    return;
                // Margins from the centre to the edges, one more for the centre pixel itself.
                scroll->ensureVisible(area.center().x(), area.center().y(), area.width() / 2 + 1, area.height() / 2 + 1);
            });
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
        m_rememberSoon.start();
        markSelectedTokensInText(); // the Steps follow a query and key of their own
    });
    // An edit makes the marked tokens another text's: gone until its result comes (cleared,
    // not recomputed, at every keystroke).
    connect(m_controls->textEdit(), &QPlainTextEdit::textChanged, this,
            [this] { m_controls->textEdit()->setExtraSelections({}); });
}

void MainWindow::buildHeadStatsDock()
{
    m_statsModel = new HeadStatsModel(this);
    m_statsSorted = new QSortFilterProxyModel(this);
    m_statsSorted->setSourceModel(m_statsModel);
    m_statsSorted->setSortRole(HeadStatsModel::SortRole);

    m_statsTable = new HeadStatsTable;
    m_statsTable->setObjectName(u"headStatsTable"_qs);
    m_statsTable->setAccessibleName(u"Head statistics"_qs);
    m_statsTable->setModel(m_statsSorted);
    m_statsTable->setSortingEnabled(true);
    m_statsTable->sortByColumn(HeadStatsModel::Head, Qt::AscendingOrder);
    m_statsTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_statsTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_statsTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_statsTable->verticalHeader()->hide();
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
    if (m_modelMode->isActive()) {
        // Why another model did not open, while this one stays, is said until the next edit
        // (it stayed for good); the model's next result clears it.
        m_modelOpenFailure.clear();
        return;
    }
    if (!m_trace)
        for (ViewWidget* widget : m_views)
            widget->setEmptyText(u"Computing…"_qs);
    const quint64 generation = m_compute.submit(currentRequest());
    if (!m_busyDelay.isActive() && !m_busy->isVisible())
        m_busyDelay.start(); // from the first request not yet answered, not from each keystroke
    // The title line names both texts of cross-attention: target ← source.
    m_textsAsked[generation] = {text, source.trimmed().isEmpty() ? QString() : source};
}

void MainWindow::onFinished(quint64 generation, TracePtr trace, HeadStatsPtr stats, double elapsedMs)
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
    m_traceGeneration = generation;
    clearError();
    applyAppearance(); // the title line follows the trace's text
    m_statsModel->setStats(std::move(stats));
    for (ViewWidget* widget : m_views)
        widget->setTrace(m_trace, m_statsModel->sharedStats());
    // The views dropped pins of tokens this text lacks; once the trace is the one the
    // controls ask for, the shared focus drops them too (an older answer must not).
    if (generation == m_compute.latestSubmitted() && !m_views.empty())
        m_focus = m_views.front()->options().focus;
    showSelectedHeadInStats();
    markSelectedTokensInText();

    const attn::Trace& t = *m_trace;
    QString status = paintkit::countOf(qint64(t.queryCount()), u"token"_qs);
    if (t.isCross())
        status += u" × "_qs + paintkit::countOf(qint64(t.keyCount()), u"source token"_qs);
    status += u"  ·  backend "_qs + QString::fromStdString(t.backend) + u"  ·  compute "_qs + millisText(t.wallMs);
    if (t.gpuMs >= 0)
        status += u" (GPU "_qs + millisText(t.gpuMs) + u')';
    status += u"  ·  edit to result "_qs + millisText(elapsedMs);
    if (!t.fallbackReason.empty())
        status += u"  ·  "_qs + QString::fromStdString(t.fallbackReason);
    showStatus(status);
    emit traceShown();
}

void MainWindow::showStatus(const QString& text)
{
    m_status->setText(text);
    m_status->setToolTip(text);
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
    if (m_traceGeneration < m_documentFrom)
        clearShownResult(); // another document's picture, which this one never had
    showFailure(message, m_trace != nullptr);
}

void MainWindow::clearShownResult()
{
    m_trace.reset();
    m_statsModel->setStats(nullptr);
    for (ViewWidget* widget : m_views)
        widget->setTrace(nullptr, m_statsModel->sharedStats());
}

void MainWindow::clearError()
{
    m_error->setText(m_modelOpenFailure);
    m_error->setVisible(!m_modelOpenFailure.isEmpty());
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
    markSelectedTokensInText();
}

void MainWindow::markSelectedTokensInText()
{
    QPlainTextEdit* box = m_controls->textEdit();
    const ViewWidget* shown = currentModelView() ? nullptr : currentView();
    box->setExtraSelections(m_trace && !m_views.empty()
                                ? tokenMarks(*box, m_traceTexts.text, *m_trace, m_focus,
                                             shown && shown->viewId() == ViewId::Steps, m_views.front()->options().look.accent)
                                : QList<QTextEdit::ExtraSelection>());
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
    markSelectedTokensInText(); // in the new accent colour
    Appearance modelLook = look; // the model's own views name the model and layers in their facts
    modelLook.note.clear();
    m_modelMode->setAppearance(modelLook);
}

void MainWindow::applyDisplay()
{
    m_rememberSoon.start();
    applyAppearance();
    for (ViewWidget* widget : m_views)
        widget->setFilter(m_controls->filter());
    m_modelMode->setFilter(m_controls->filter());
}

void MainWindow::setTheme(Theme theme)
{
    m_theme = theme;
    m_rememberSoon.start();
    if (QAction* action = m_themeActions[theme]; action && !action->isChecked())
        action->setChecked(true); // the menu shows a theme set from the settings too
    if (theme == Theme::Dark) {
        QApplication::setStyle(fusionWithVisibleCheckBoxes());
        QApplication::setPalette(darkPalette());
    } else if (theme == Theme::Light) {
        QApplication::setStyle(fusionWithVisibleCheckBoxes());
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
    // beside 22 px type; F9 brings them in to change a setting in front of the class.
    // Leaving presentation mode brings them back as they were.
    if (on) {
        m_statsWasShown = m_statsDock->isVisible();
        m_controlsWereShown = m_controlsAction->isChecked();
        m_layoutBeforePresentation = saveState();
        m_controlsAction->setChecked(false);
        m_statsDock->hide();
        statusBar()->showMessage(u"Presentation mode: "_qs + keysOf(m_controlsAction) + u" shows the controls, "_qs
                                     + keysOf(m_presentationAction) + u" leaves"_qs,
                                 10000);
    } else {
        m_controlsAction->setChecked(m_controlsWereShown);
        m_statsDock->setVisible(m_statsWasShown);
        statusBar()->clearMessage();
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

void MainWindow::showMessage(const QString& title, const QString& text)
{
    // Window-modal and opened without a nested event loop, so that nothing waits on it.
    if (m_message)
        m_message->deleteLater();
    m_message = new QMessageBox(QMessageBox::Warning, title, text, QMessageBox::Ok, this);
    m_message->setAttribute(Qt::WA_DeleteOnClose, false);
    m_message->open();
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
    s.exportPage = m_exportPage;
    s.exportScale = m_exportScale;
    s.sessionFolder = m_sessionFolder;
    s.textSessionFile = filedTextsFile();
    // In presentation mode, the window as it was before: the next start is no projector.
    s.geometry = m_presentation ? m_geometryBeforePresentation : saveGeometry();
    if (const QScreen* display = screen())
        s.geometryScreen = display->geometry().size();
    s.windowState = m_presentation ? m_layoutBeforePresentation : saveState();
    return s;
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    // The text and settings come back at the next start whatever the answer (a text that
    // is in no file too); a session file keeps only what is saved into it.
    if (!m_sessionFile.isEmpty() && hasUnsavedWork()
        && !keepOrGiveUpWork(QFileInfo(m_sessionFile).fileName() + u" keeps only what is saved into it."_qs)) {
        event->ignore();
        return;
    }
    QSettings store;
    currentSettings().save(store);
    QMainWindow::closeEvent(event);
}
