// The main window as the widget tests drive it: shown at a given size on a given text, and
// a wait until it has answered its newest request.
#pragma once

#include "window/main_window.h"
#include "window/settings.h"

#include <QTest>

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
