#include "cli/command_line.h"
#include "cli/dump.h"
#include "compute/failure_text.h"
#include "export/command_line_export.h"
#include "model/model_command_line.h"
#include "window/main_window.h"
#include "window/settings.h"
#include "window/window_start.h"

#include <QApplication>
#include <QSettings>
#include <QStatusBar>
#include <QTextStream>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

// --dump, --export and option errors need no screen. Without one, Qt's offscreen platform
// runs them, rather than Qt failing to connect to a display; only the window needs one.
bool useOffscreenWithoutDisplay()
{
    if (std::getenv("QT_QPA_PLATFORM") || std::getenv("DISPLAY") || std::getenv("WAYLAND_DISPLAY"))
        return false;
    qputenv("QT_QPA_PLATFORM", "offscreen");
    return true;
}

// QGuiApplication takes -session / --session (X11 session management) out of argv before
// we can read it; our --session FILE travels under its other name, --session-file.
void keepSessionArgument(int argc, char* argv[])
{
    static std::vector<std::string> renamed;
    renamed.reserve(std::size_t(argc));
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--session") == 0 || std::strcmp(argv[i], "-session") == 0) {
            argv[i] = const_cast<char*>("--session-file");
        } else if (std::strncmp(argv[i], "--session=", 10) == 0) {
            renamed.push_back(std::string("--session-file=") + (argv[i] + 10));
            argv[i] = renamed.back().data();
        }
    }
}

} // namespace

int main(int argc, char* argv[])
{
    if (const QString problem = fileNameArgumentProblem(argc, argv); !problem.isEmpty()) {
        QTextStream(stderr) << "attention-explorer: " << problem << Qt::endl;
        return 2;
    }
    const QString textWarning = textArgumentWarning(argc, argv);
    if (!textWarning.isEmpty())
        QTextStream(stderr) << "attention-explorer: warning: " << textWarning << Qt::endl;
    keepSessionArgument(argc, argv);
    const bool noDisplay = useOffscreenWithoutDisplay();
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("attention-explorer"));
    QApplication::setOrganizationName(QStringLiteral("Attention Explorer"));
    QApplication::setApplicationVersion(QStringLiteral(ATTN_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/attention-explorer.svg")));

    QTextStream err(stderr);
    const ParsedCommandLine parsed = parseCommandLine(QApplication::arguments());
    if (parsed.exitNow)
        return 0;
    if (!parsed.commandLine) {
        err << "attention-explorer: " << parsed.error << Qt::endl;
        return 2;
    }
    const CommandLine& cli = *parsed.commandLine;
    if (!cli.sessionNote.isEmpty())
        err << "attention-explorer: warning: " << cli.sessionNote << Qt::endl;
    if (!cli.modelFolder.isEmpty() && (!cli.dumpDir.isEmpty() || !cli.exportPath.isEmpty())) {
        ModelCommand command;
        command.folder = cli.modelFolder;
        command.text = QString::fromStdString(cli.request.text);
        command.dumpDir = cli.dumpDir;
        command.exportPath = cli.exportPath;
        command.view = cli.modelView();
        command.layer = cli.modelLayer;
        command.layerFromSession = cli.layerFromSession;
        command.headFromSession = cli.session && !cli.viewGiven && cli.session->view == u"head";
        command.imageScale = cli.imageScale;
        command.pageSize = cli.pageSize;
        command.style = cli.figureStyle();
        command.backend = cli.request.backend;
        if (cli.session)
            command.filter = cli.session->filter;
        return runModelCommand(command, err);
    }
    if (!cli.dumpDir.isEmpty() || !cli.exportPath.isEmpty()) {
        try { // a request refused as given is refused with the options
            attn::Engine::check(cli.requestToRun());
        } catch (const attn::Error& error) {
            err << "attention-explorer: " << error.what() << Qt::endl;
            return 2;
        } catch (...) {
            // Out of memory while checking: the run below meets it too, and says so (exit 1).
        }
        try {
            attn::Engine engine;
            const attn::Request request = cli.requestToRun();
            const auto trace = engine.run(request); // once, for the dump and the figure alike
            if (!trace->fallbackReason.empty())
                err << "attention-explorer: " << fallbackText(trace->fallbackReason, trace->backend) << Qt::endl;
            // A figure that cannot be drawn is refused before the dump is written.
            if (!cli.exportPath.isEmpty())
                if (const QString problem = commandLineExportProblem(cli, *trace); !problem.isEmpty()) {
                    err << "attention-explorer: " << problem << Qt::endl;
                    return 2;
                }
            if (!cli.dumpDir.isEmpty())
                writeDump(*trace, request, DumpSources{cli.weightsFile, cli.inputsFile}, cli.dumpDir);
            return cli.exportPath.isEmpty() ? 0 : runCommandLineExport(cli, *trace, err);
        } catch (...) {
            err << "attention-explorer: "
                << failureText(std::current_exception(), u"for this text and these settings"_qs,
                               u"shorten the text or use fewer heads"_qs)
                << Qt::endl;
            return 1;
        }
    }

    if (noDisplay) {
        err << "attention-explorer: there is no display to open the window on (DISPLAY and WAYLAND_DISPLAY are "
               "not set). Run it in a desktop session or under xvfb-run, or write figures and numbers "
               "without a window: --export FILE or --dump DIR (see --help)."
            << Qt::endl;
        return 1;
    }

    // The window opens on the command line's text and settings where given, else on the
    // remembered ones (whose first default is the example sentence).
    QSettings store;
    MainWindow window(startingSettings(cli, Settings::load(store)));
    startFromCommandLine(window, cli);
    if (cli.presentation)
        window.setPresentationMode(true);
    window.show();
    // Said in the window as at the command line: what of the text or the session was not taken.
    QStringList startWarnings;
    for (const QString& warning : {textWarning, cli.sessionNote})
        if (!warning.isEmpty())
            startWarnings << warning;
    if (!startWarnings.isEmpty())
        window.statusBar()->showMessage(startWarnings.join(u"  ·  "_qs), 20000);
    return QApplication::exec();
}
