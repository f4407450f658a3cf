// Perceptually uniform colour maps for attention weights: a value in [0, 1] to a colour.
#pragma once

#include <QColor>
#include <QList>
#include <QString>
#include <QStringList>

#include <array>
#include <optional>

enum class ColorMapId { Viridis, Cividis, Greys };

class ColorMap {
public:
    // On a dark page Greys runs from dark to light, so that weak weights fade into the
    // page and strong ones stand out, as on paper (the other maps start dark anyway).
    explicit ColorMap(ColorMapId id, bool darkPage = false);

    ColorMapId id() const { return m_id; }
    // t is clamped to [0, 1]; 0 is the weakest weight.
    QRgb rgb(float t) const
    {
        const float clamped = t < 0.f ? 0.f : (t > 1.f ? 1.f : t);
        return m_table[std::size_t(clamped * 255.f + 0.5f)];
    }
    QColor color(float t) const { return QColor::fromRgb(rgb(t)); }

    static QString key(ColorMapId id);         // "viridis", for settings and files
    static QString displayName(ColorMapId id); // "Viridis", for menus
    static ColorMapId fromKey(const QString& key, ColorMapId fallback = ColorMapId::Viridis);
    // The map of that key exactly, or none: a session file or --colors that names no map is refused.
    static std::optional<ColorMapId> findKey(const QString& key);
    static QList<ColorMapId> all();
    static QStringList keys(); // every key, in the order of all()

private:
    ColorMapId m_id;
    std::array<QRgb, 256> m_table{};
};
