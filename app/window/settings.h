// What the window remembers between runs, read and written in this one place.
#pragma once

#include "export/export_options_dialog.h"
#include "views/colormap.h"

#include <attn/backend_choice.h>
#include <attn/config.h>

#include <optional>

#include <QByteArray>
#include <QSettings>
#include <QSize>
#include <QString>

// The window's palette: the system's, or Fusion's light or dark one.
enum class Theme { System, Light, Dark };

// "system", "light", "dark": the names of the settings file and of --theme.
QString themeName(Theme theme);
std::optional<Theme> themeFromName(const QString& name);

struct Settings {
    QString text;
    QString sourceText; // empty: self-attention
    attn::Config config;
    attn::BackendKind backend = attn::BackendKind::Auto;
    ColorMapId colorMap = ColorMapId::Viridis;
    double keepShare = 1.0;
    bool hideFirst = false;
    bool unitColorScale = false;
    Theme theme = Theme::System;
    QString view = QStringLiteral("heads"); // a ViewKind key
    int detailHead = 0;
    QString exportFolder;                   // where the last export went; empty: Pictures
    QString sessionFolder;                  // where the last session was opened or saved; empty: Documents
    QString textSessionFile;                // the session file that held text and sourceText when remembered; empty: none
    QString exportFormat = QStringLiteral("png"); // png or svg, as last exported
    QSize exportPage;                       // the last export's slide page; invalid: the view as shown
    int exportScale = int(ExportOptions().scale); // the last PNG export's pixel scale, 1-4
    QByteArray geometry;
    QSize geometryScreen; // the size of the window's screen, in Qt's pixels, when geometry was saved
    QByteArray windowState;

    static QString defaultText();
    static Settings load(QSettings& store);
    void save(QSettings& store) const;
};
