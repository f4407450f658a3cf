// The explorer window: the control panel on the left, the views as tabs on the right,
// the head statistics in a dock, the backend and timing below. Edits go to the compute
// service; its newest answer is what every view paints. One Focus (head, hover, pinned
// query, selected key) is shared by all views: a click in one is followed by the others.
#pragma once

#include "compute/compute_service.h"
#include "export/figure_export.h"
#include "session/examples.h"
#include "session/session.h"
#include "settings.h"
#include "views/model_views.h"
#include "views/view_options.h"
#include "views/view_registry.h"

#include <QMainWindow>
#include <QTimer>

#include <map>
#include <memory>
#include <optional>
#include <vector>

class ControlPanel;
class HeadStatsModel;
class ModelMode;
class ModelViewWidget;
class QAction;
class QDockWidget;
class QLabel;
class QMessageBox;
class QProgressBar;
class QSortFilterProxyModel;
class QTabWidget;
class QTableView;
class ViewWidget;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(const Settings& settings, QWidget* parent = nullptr);
    ~MainWindow() override;

    ControlPanel* controls() const { return m_controls; }
    ViewWidget* view(ViewId id) const;
    ViewWidget* currentView() const;
    void showView(ViewId id);
    TracePtr trace() const { return m_trace; }
    QString errorText() const; // the message shown, empty when none
    QString shownText() const; // the text the shown trace (in model mode: the shown result) was computed from
    // True when the newest request has been answered (with a trace or an error).
    bool isIdle() const;

    // The selection every view follows. shareFocus hands it to all views at once.
    const Focus& sharedFocus() const { return m_focus; }
    void shareFocus(const Focus& focus);
    void selectHead(int head); // focus.head everywhere, and the detail-head control

    // The figure of a view as the screen shows it (hover, pins, look), at any page size.
    Figure figure(ViewId id, QSize size, double scale = 1.0) const;
    // Writes the current view to path (PNG or SVG by extension); returns the error
    // message, empty on success. The File menu's Export calls this.
    // `page`: a slide's page, laid out anew at that size; none: the view as shown, cut to
    // what is painted.
    QString exportCurrentView(const QString& path, double scale, std::optional<QSize> page = std::nullopt);
    void setTheme(Theme theme);
    Theme theme() const { return m_theme; }
    Settings currentSettings() const;

    // Classroom mode: large type, thick lines, high contrast, full screen; the controls
    // and the statistics dock step aside (Ctrl+Shift+P again brings them back).
    void setPresentationMode(bool on);
    bool isPresentationMode() const { return m_presentation; }

    // Sessions: the File menu's Open and Save call these after their file dialogs. On a
    // failure they show a message box (window-modal, not blocking) and return false; a
    // failed open leaves everything as it was.
    SessionState sessionState() const;
    void applySession(const SessionState& state);
    bool openSession(const QString& path);
    bool saveSession(const QString& path);
    // The texts or layer settings changed since the starting point (markStartingPoint), a
    // session was opened or saved, or an example was chosen: Open and Examples then ask
    // before replacing them, and closing asks while a session file is open (the window's
    // title marks it with *). A view or a selection is no such work.
    bool hasUnsavedWork() const;
    // A text typed (or given on the command line) that no session file holds and that is
    // not an example or the first sentence: Open and Examples ask before replacing it too,
    // though it is remembered between runs (closing does not ask).
    bool hasTextOnlyHere() const;
    // What the window shows now is where it starts (the command line's texts, a session
    // opened or saved, or given with --session FILE, named in the title): nothing to lose yet.
    void markStartingPoint(const QString& sessionFile);
    QMessageBox* lastMessage() const { return m_message; } // for tests: the last message box shown

    const QList<Example>& examples() const { return m_examples; }
    void applyExample(const Example& example);

    // Model mode: a trained model's layers instead of the seeded one. The model
    // gets its own tabs (Model, Rollout, Next token) and a layer bar; the sandbox views and
    // the statistics dock show the selected layer; text edits go to the model.
    ModelMode* modelMode() const { return m_modelMode.get(); }
    // Loads on the worker and returns at once; once open, selects layer and head (from 0;
    // -1: the first layer, the head selected now) and shows the view named by key (model,
    // rollout, next or a sandbox view; empty: the Model tab). A failure shows the
    // engine's message in the error line and keeps what was shown.
    void openModel(const QString& folder, int layer = -1, const QString& view = QString(), int head = -1);
    void closeModel(); // back to the sandbox, which recomputes
    QWidget* modelTab(ModelViewId id) const; // the tab's page; null while no model is open
    void showModelView(ModelViewId id);
    std::optional<ModelViewId> currentModelView() const;

    QDockWidget* headStatsDock() const { return m_statsDock; }
    QTableView* headStatsTable() const { return m_statsTable; }

signals:
    void traceShown(); // a newer trace reached the views
    void errorShown(const QString& message);

protected:
    void closeEvent(QCloseEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void buildViews();
    void buildHeadStatsDock();
    void buildMenus();
    void buildExamplesMenu();
    void buildModelMode();
    void onModelOpened(const QString& description);
    void onModelOpenFailed(const QString& message);
    void onModelFailed(const QString& message);
    void showModelViewsEmpty(const QString& why); // while the model has no result
    void clearShownResult(); // the views, the statistics and m_trace: nothing to show
    void onModelClosed();
    void onModelResult(double elapsedMs);
    void onModelSelection();
    // Hands the selected layer's trace to the sandbox views and the dock, when it changed.
    void showModelLayer();
    void updateModelStatus();
    // The status line, and the same words as its tooltip: a fallback's reason runs past a
    // narrow window's edge.
    void showStatus(const QString& text);
    ModelViewWidget* modelViewWidget(ModelViewId id) const;
    bool showViewKey(const QString& key); // a sandbox or model view by its key (a session's) or --view name (head:N)
    // The request the controls describe (the sandbox's; a model runs its own).
    attn::Request currentRequest() const;
    void recompute();
    void applyDisplay();
    void applyAppearance();
    void markSelectedTokensInText();
    void onFinished(quint64 generation, TracePtr trace, HeadStatsPtr stats, double elapsedMs);
    void onFailed(quint64 generation, const QString& message);
    bool caughtUp() const; // every request submitted has been answered
    void showSelectedHeadInStats();
    void hideBusyOnceCaughtUp();
    // A request that could not be computed: the message, and whether an earlier result
    // is still shown; views that have shown nothing yet say where to look.
    void showFailure(const QString& message, bool earlierResult);
    // The error line once a result came: empty, unless a model failed to open, which stays
    // said until a model opens or the sandbox is chosen (a sandbox result once hid it at once).
    void clearError();
    void showMessage(const QString& title, const QString& text);
    void exportDialog();
    QString exportFileName() const; // the current view's name, for the export dialog: heads, head-3, rollout…
    void newSession(); // File → New: the first sentence and the default settings, no file
    void openSessionDialog();
    QString sessionFolder() const; // where the session dialogs start: the session's own, else the last one's
    void save();                   // File → Save: into the session's file, the first time Save as
    void saveSessionAs();
    double copyScale() const;
    void copyImage();
    void showShortcuts(); // Help → Keyboard and mouse
    // What Open, Examples and closing a session's window would give up (changes not saved,
    // or a text only here), asked about first (`consequence` says what happens to it): true
    // to go on (saved or given up), false to keep it.
    bool keepOrGiveUpWork(const QString& consequence);
    // What a prompt protects: the texts and the layer settings.
    struct Work {
        QString text;
        QString source; // empty: self-attention (a source of spaces too)
        attn::Config config;
        bool operator==(const Work&) const = default;
        bool sameTexts(const Work& other) const { return text == other.text && source == other.source; }
    };
    static Work workOf(const QString& text, const QString& source, const attn::Config& config);
    Work currentWork() const;
    void markWorkSaved();
    // At the start: the remembered texts are the last run's (nothing to lose yet), and a
    // session file's if the file they were remembered from still holds them.
    void markRememberedWorkSaved(const QString& textSessionFile);
    QString filedTextsFile() const; // m_filedWork's file while the texts are its; else empty
    // The figure of a view as the window shows it, cut to what is painted (export, copy).
    Figure shownFigure(const ViewWidget& widget, double scale) const;
    void updateWindowTitle();

    ComputeService m_compute;
    // Destroyed before the window's widgets (members go before the QWidget base): its
    // destructor looks at the widgets it made.
    std::unique_ptr<ModelMode> m_modelMode;
    struct ModelChoice {
        int layer = -1;
        int head = -1;
        QString view;
        bool namedBySession = false; // opened for m_sessionModel
    };
    std::optional<ModelChoice> m_modelPending; // applied when the model being opened is open
    // The model a session named while it is not open (still opening, or it failed to open):
    // a save writes it as the session named it, not the model open before, until another
    // model opens or the user goes back to the sandbox.
    struct NamedModel {
        SessionModel model;
        QString view;
    };
    std::optional<NamedModel> m_sessionModel;
    bool m_modelFolderRelative = false; // the open model is a session's that named its folder relative to itself
    double m_modelElapsedMs = 0.0;
    QAction* m_closeModel = nullptr;
    QList<QAction*> m_modelViewActions; // View → the model's tabs, enabled while one is open
    ControlPanel* m_controls;
    QWidget* m_side = nullptr; // the scrolling panel around the controls
    QTabWidget* m_tabs = nullptr;
    std::vector<ViewWidget*> m_views;
    std::vector<QWidget*> m_viewPages; // the tab of each view: the view, or the scroll area around it
    QLabel* m_error;
    QLabel* m_status;
    QProgressBar* m_busy;  // shown while a computation runs past m_busyDelay
    QTimer m_busyDelay;
    QTimer m_rememberSoon; // keeps the text and settings a moment after a change, not only at quit
    QAction* m_titleInExports = nullptr;
    QAction* m_presentationAction = nullptr;
    QAction* m_controlsAction = nullptr; // shows or hides m_side (F9), in presentation mode too
    QDockWidget* m_statsDock = nullptr;
    QTableView* m_statsTable = nullptr;
    HeadStatsModel* m_statsModel = nullptr;
    QSortFilterProxyModel* m_statsSorted = nullptr;
    QMessageBox* m_message = nullptr;
    Work m_savedWork; // currentWork() when last opened, saved or chosen
    // The session file last opened or saved (or the one the remembered texts came from, while
    // it holds them) and its work then: its texts are safe in that file.
    struct FiledWork {
        QString file;
        Work work;
    };
    std::optional<FiledWork> m_filedWork;
    QString m_sessionFile;  // the session file last opened or saved, for the title
    QString m_exportFolder; // where the export dialog starts: the last export's folder
    QString m_sessionFolder; // the folder of the session file last opened or saved: where the session dialogs start
    QString m_exportFormat; // png or svg: the last export's
    QSize m_exportPage;     // the last export's slide page; invalid: as shown
    int m_exportScale = int(ExportOptions().scale); // the last PNG export's pixel scale
    QList<Example> m_examples;
    QString m_examplesError;
    QString m_modelOpenFailure; // the message of the model that failed to open, while it stands
    Focus m_focus;
    TracePtr m_trace;
    quint64 m_answered = 0;                 // the newest request answered so far
    // The first request of the document now open (a session, an example, a new session)
    // and the request of the trace shown: a trace of an earlier document is no "last
    // result that worked" for this one.
    quint64 m_documentFrom = 0, m_traceGeneration = 0;
    struct AskedTexts {
        QString text;
        QString source; // empty: self-attention
    };
    std::map<quint64, AskedTexts> m_textsAsked; // the texts of each request still unanswered
    AskedTexts m_traceTexts;                    // the texts of the trace shown
    QString m_traceNote;                        // after them in the title line: a model's layer
    Theme m_theme = Theme::System;
    std::map<Theme, QAction*> m_themeActions; // View → Theme
    bool m_presentation = false;
    Qt::WindowStates m_stateBeforePresentation = Qt::WindowNoState;
    QByteArray m_geometryBeforePresentation;
    bool m_statsWasShown = true;
    bool m_controlsWereShown = true; // before presentation mode hid them
    QByteArray m_layoutBeforePresentation; // saveState(): the docks as they were
};
