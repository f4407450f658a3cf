// Runs the built attention-explorer executable headless, for the tests that drive the
// command line. The test target defines ATTN_EXPLORER_EXE as the executable's path.
#pragma once

#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

// How the run ended: exitCode is -1 when it crashed or did not finish within a minute.
struct Run {
    int exitCode = -1;
    QString errors;
};

// Offscreen: Qt's offscreen platform, as the tests run. NoDisplay: as on a server with no
// display and no platform chosen, where the program must pick one itself.
enum class Screen { Offscreen, NoDisplay };

inline Run runExplorer(const QStringList& arguments, Screen screen = Screen::Offscreen)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    if (screen == Screen::Offscreen)
        env.insert(u"QT_QPA_PLATFORM"_qs, u"offscreen"_qs);
    else
        env.remove(u"QT_QPA_PLATFORM"_qs);
    env.remove(u"DISPLAY"_qs);
    env.remove(u"WAYLAND_DISPLAY"_qs);
    process.setProcessEnvironment(env);
    process.start(QStringLiteral(ATTN_EXPLORER_EXE), arguments);
    if (!process.waitForFinished(60000))
        return {};
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardError())};
}
