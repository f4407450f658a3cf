#include "window_start.h"

#include "main_window.h"
#include "settings.h"

#include "cli/command_line.h"
#include "views/model_views.h"
#include "views/view_registry.h"

#include <optional>
#include <utility>

namespace {

// The session with the command line's own options on top (already merged into the
// request), its model kept unless --model names another (--layer and --view apply to it).
SessionState sessionWithCommandLine(const CommandLine& cli)
{
    SessionState state = *cli.session;
    state.text = QString::fromStdString(cli.request.text);
    state.sourceText.reset();
    if (cli.request.sourceText)
        state.sourceText = QString::fromStdString(*cli.request.sourceText);
    state.config = cli.request.config;
    state.backend = cli.request.backend;
    if (cli.colorMap)
        state.colorMap = *cli.colorMap;
    state.unitColorScale = cli.unitColorScale; // the session's, or --unit-scale on top
    if (state.model && cli.modelFolder != state.model->folder)
        state.model.reset(); // --model: opened as the command line's own, as without a session
    if (state.model && cli.modelLayer >= 0)
        state.model->layer = cli.modelLayer;
    if (cli.viewGiven) {
        if (const std::optional<ViewChoice> choice = parseViewChoice(cli.view, nullptr)) {
            state.view = viewKind(choice->id).key;
            if (choice->id == ViewId::HeadDetail) {
                state.head = choice->head;
                if (state.model)
                    state.model->head = choice->head;
            }
        } else if (const std::optional<ModelViewId> id = parseModelViewKey(cli.view); id && state.model) {
            state.view = modelViewKind(*id).key;
        }
    }
    return state;
}

} // namespace

Settings startingSettings(const CommandLine& cli, Settings remembered)
{
    Settings settings = std::move(remembered);
    if (cli.session) {
        settings.text = cli.session->text;
        settings.sourceText = cli.session->sourceText.value_or(QString());
        settings.config = cli.session->config;
        settings.backend = cli.session->backend;
    } else {
        if (cli.textGiven) { // a text of the command line comes with its own source, or none
            settings.text = QString::fromStdString(cli.request.text);
            settings.sourceText = QString::fromStdString(cli.request.sourceText.value_or(std::string()));
        }
        if (cli.layerGiven)
            settings.config = cli.request.config;
        if (cli.backendGiven)
            settings.backend = cli.request.backend;
    }
    if (cli.unitColorScale)
        settings.unitColorScale = true;
    if (cli.theme)
        settings.theme = *cli.theme;
    if (cli.colorMap)
        settings.colorMap = *cli.colorMap;
    return settings;
}

void startFromCommandLine(MainWindow& window, const CommandLine& cli)
{
    bool sessionOpensModel = false;
    if (cli.session) {
        window.markStartingPoint(cli.sessionFile); // the session as saved: the window opened on it
        const SessionState state = sessionWithCommandLine(cli);
        window.applySession(state);
        sessionOpensModel = state.model.has_value();
    } else {
        if (cli.request.sourceText) {
            SessionState state = window.sessionState();
            state.sourceText = QString::fromStdString(*cli.request.sourceText);
            window.applySession(state);
        }
        if (cli.viewGiven)
            if (const std::optional<ViewChoice> choice = parseViewChoice(cli.view, nullptr)) {
                window.showView(choice->id);
                if (choice->id == ViewId::HeadDetail)
                    window.selectHead(choice->head);
            }
    }
    // Opens on the worker; the window shows the sandbox until the model is ready, and a
    // folder that is not a model leaves the sandbox with the engine's message.
    if (!cli.modelFolder.isEmpty() && !sessionOpensModel)
        window.openModel(cli.modelFolder, cli.modelLayer, cli.modelView());
    // The command line's texts and settings: nothing to lose yet, and no file's. A start that
    // gave none keeps the remembered ones, with the session file that still holds them.
    if (!cli.session && (cli.textGiven || cli.layerGiven || cli.request.sourceText || !cli.modelFolder.isEmpty()))
        window.markStartingPoint(QString());
}
