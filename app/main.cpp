#include "cli/command_line.h"
#include "cli/dump.h"

#include <attn/error.h>

#include <QApplication>
#include <QTextStream>

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("attention-explorer"));
    QApplication::setOrganizationName(QStringLiteral("Attention Explorer"));
    QApplication::setApplicationVersion(QStringLiteral(ATTN_VERSION));

    QTextStream err(stderr);
    const ParsedCommandLine parsed = parseCommandLine(QApplication::arguments());
    if (parsed.exitNow)
        return 0;
    if (!parsed.commandLine) {
        err << "attention-explorer: " << parsed.error << Qt::endl;
        return 2;
    }
    const CommandLine& cli = *parsed.commandLine;
    try {
        if (!cli.dumpDir.isEmpty()) {
            attn::Engine engine;
            const auto trace = engine.run(cli.request);
            if (!trace->fallbackReason.empty())
                err << "attention-explorer: " << QString::fromStdString(trace->fallbackReason)
                    << "; ran " << QString::fromStdString(trace->backend) << " instead." << Qt::endl;
            writeDump(*trace, cli.dumpDir);
            return 0;
        }
    } catch (const attn::Error& error) {
        err << "attention-explorer: " << QString::fromStdString(error.what()) << Qt::endl;
        return 1;
    }
    err << "attention-explorer: the window is not built yet; use --dump DIR." << Qt::endl;
    return 2;
}
