// A Qt Test main for widget tests: headless platform, a fixed DPI and font so pixel
// checks are stable, and settings kept apart from the user's.
#pragma once

#include <QApplication>
#include <QFont>
#include <QStandardPaths>
#include <QTest>

#define ATTN_GUI_TEST_MAIN(TestClass)                                                  \
    int main(int argc, char* argv[])                                                   \
    {                                                                                  \
        qputenv("QT_QPA_PLATFORM", "offscreen");                                       \
        qputenv("QT_FONT_DPI", "96");                                                  \
        qputenv("QT_SCALE_FACTOR", "1");                                               \
        QStandardPaths::setTestModeEnabled(true);                                      \
        QApplication app(argc, argv);                                                  \
        QApplication::setOrganizationName(QStringLiteral("attention-explorer-tests")); \
        QApplication::setApplicationName(QStringLiteral(#TestClass));                  \
        QApplication::setFont(QFont(QStringLiteral("DejaVu Sans"), 9));                \
        TestClass test;                                                                \
        return QTest::qExec(&test, argc, argv);                                        \
    }
