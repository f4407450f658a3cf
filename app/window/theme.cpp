#include "theme.h"

#include <QPainter>
#include <QProxyStyle>
#include <QStyleOption>

namespace {

// Qt 6.4's Fusion frames a check box in the window colour darkened and fills it with the
// base: on a dark palette, a dark box in a darker frame on a dark window, all but invisible.
// No palette role mends that (the frame follows Window, the fill Base, the views'
// background), so the frame is drawn again, halfway between the text and the window: over
// 3:1 against the window, as controls' edges need, and quieter than the text.
class VisibleCheckBoxStyle : public QProxyStyle {
public:
    VisibleCheckBoxStyle() : QProxyStyle(u"Fusion"_qs) {}

    void drawPrimitive(PrimitiveElement element, const QStyleOption* option, QPainter* painter,
                       const QWidget* widget) const override
    {
        QProxyStyle::drawPrimitive(element, option, painter, widget);
        const QColor window = option->palette.color(QPalette::Window);
        const bool keyboardFocus = (option->state & State_HasFocus) && (option->state & State_KeyboardFocusChange);
        if (element != PE_IndicatorCheckBox || window.lightness() >= 128 || keyboardFocus) // focus: Fusion's highlight
            return;
        const QColor text = option->palette.color(QPalette::Text);
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing);
        painter->setBrush(Qt::NoBrush);
        painter->setPen(QColor((text.red() + window.red()) / 2, (text.green() + window.green()) / 2,
                               (text.blue() + window.blue()) / 2));
        painter->drawRect(QRectF(option->rect).adjusted(0.5, 0.5, -0.5, -0.5)); // where Fusion draws its frame
        painter->restore();
    }
};

} // namespace

QPalette darkPalette()
{
    QPalette p;
    const QColor window(45, 45, 48), base(30, 30, 32), text(230, 230, 230), disabled(130, 130, 130);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(150, 150, 150));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, Qt::red);
    p.setColor(QPalette::Highlight, QColor(60, 120, 200));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Disabled, QPalette::Text, disabled);
    p.setColor(QPalette::Disabled, QPalette::ButtonText, disabled);
    p.setColor(QPalette::Disabled, QPalette::WindowText, disabled);
    // The 3D shades, which frames and check marks use; left to the light defaults, Fusion
    // embossed disabled menu entries in white (they looked enabled) and drew faint ticks.
    p.setColor(QPalette::Light, QColor(80, 80, 85));
    p.setColor(QPalette::Midlight, QColor(62, 62, 66));
    p.setColor(QPalette::Mid, QColor(38, 38, 40));
    p.setColor(QPalette::Dark, QColor(22, 22, 24));
    p.setColor(QPalette::Shadow, Qt::black);
    p.setColor(QPalette::Disabled, QPalette::Light, window);
    return p;
}

QStyle* fusionWithVisibleCheckBoxes()
{
    return new VisibleCheckBoxStyle;
}

Appearance figureLook(Theme theme)
{
    const Appearance standard = Appearance::standard();
    return theme == Theme::Dark ? Appearance::fromPalette(darkPalette(), standard.font) : standard;
}
