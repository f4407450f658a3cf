// The main window as the widget tests drive it: shown at a given size on a given text, a
// wait until it has answered its newest request, and an answer to the next question.
#pragma once

#include "window/main_window.h"
#include "window/settings.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QDialog>
#include <QMessageBox>
#include <QTest>
#include <QTextBrowser>
#include <QTimer>

#include <memory>

// Waits until the newest request has been answered (a trace, or an error shown).
inline bool windowSettled(const MainWindow& window)
{
    return QTest::qWaitFor([&window] { return window.isIdle() && (window.trace() || !window.errorText().isEmpty()); },
                           20000);
}

// A shown window on these settings, once exposed and settled; null otherwise.
inline std::unique_ptr<MainWindow> openWindow(const Settings& settings, QSize size)
{
    auto window = std::make_unique<MainWindow>(settings);
    window->resize(size);
    window->show();
    if (!QTest::qWaitForWindowExposed(window.get()) || !windowSettled(*window))
        return nullptr;
    return window;
}

// A shown window on `text`, the other settings their defaults.
inline std::unique_ptr<MainWindow> openWindow(const QString& text, QSize size)
{
    Settings settings;
    settings.text = text;
    return openWindow(settings, size);
}

// Presses `button` on the next message box once it shows (a modal one runs its own event
// loop); returns where its text will be. The poll lives with the window, so that a box that
// never shows leaves nothing behind for the next test.
inline std::shared_ptr<QString> answerNextMessageBox(MainWindow* window, QMessageBox::StandardButton button)
{
    auto text = std::make_shared<QString>();
    auto* poll = new QTimer(window);
    QObject::connect(poll, &QTimer::timeout, poll, [poll, button, text] {
        auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        if (!box)
            return;
        *text = box->text();
        poll->stop();
        poll->deleteLater();
        box->button(button)->click();
    });
    poll->start(20);
    return text;
}

// Help → Keyboard and mouse (F1) opened, and what it lists, as plain text; empty where it
// did not open.
inline QString keysHelpText(MainWindow& window)
{
    for (QAction* action : window.findChildren<QAction*>())
        if (action->shortcut() == QKeySequence(QKeySequence::HelpContents))
            action->trigger();
    QDialog* dialog = nullptr;
    if (!QTest::qWaitFor([&] { return (dialog = window.findChild<QDialog*>(u"shortcuts"_qs)) != nullptr; }, 5000))
        return QString();
    const QString text = dialog->findChild<QTextBrowser*>()->toPlainText();
    return text;
}
