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

inline Run runExplorer(const QStringList& arguments)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"QT_QPA_PLATFORM"_qs, u"offscreen"_qs);
    env.remove(u"DISPLAY"_qs);
    process.setProcessEnvironment(env);
    process.start(QStringLiteral(ATTN_EXPLORER_EXE), arguments);
    if (!process.waitForFinished(60000))
        return {};
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardError())};
}
