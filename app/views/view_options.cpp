#include "view_options.h"

#include <QFontDatabase>

namespace {

QFont pixelFont(QFont font)
{
    font.setPixelSize(13);
    return font;
}

} // namespace

Appearance Appearance::fromPalette(const QPalette& palette, const QFont& font)
{
    Appearance look;
    look.background = palette.color(QPalette::Base);
    look.foreground = palette.color(QPalette::Text);
    look.muted = palette.color(QPalette::PlaceholderText);
    if (look.muted == look.foreground || !look.muted.isValid())
        look.muted = look.isDark() ? QColor(160, 160, 160) : QColor(110, 110, 110);
    look.accent = look.isDark() ? QColor(255, 110, 90) : QColor(215, 30, 30);
    look.error = look.isDark() ? QColor(255, 120, 120) : QColor(180, 20, 20);
    look.font = pixelFont(font);
    return look;
}

Appearance Appearance::standard()
{
    Appearance look;
    look.font = pixelFont(QFont(QStringLiteral("DejaVu Sans")));
    return look;
}

Appearance Appearance::forPresentation(Appearance look)
{
    look.presentation = true;
    look.lineScale = 2.0;
    look.font.setPixelSize(22);
    if (look.isDark()) {
        look.background = Qt::black;
        look.foreground = Qt::white;
        look.muted = QColor(200, 200, 200);
        look.accent = QColor(255, 90, 60);
    } else {
        look.background = Qt::white;
        look.foreground = Qt::black;
        look.muted = QColor(60, 60, 60);
        look.accent = QColor(200, 0, 0);
    }
    return look;
}
