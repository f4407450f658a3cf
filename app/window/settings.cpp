#include "settings.h"

#include <algorithm>

QString Settings::defaultText()
{
    return u"The cat that chased the mouse under the old wooden table was tired."_qs;
}

QString themeName(Theme theme)
{
    return theme == Theme::Dark ? u"dark"_qs : theme == Theme::Light ? u"light"_qs : u"system"_qs;
}

std::optional<Theme> themeFromName(const QString& name)
{
    for (Theme theme : {Theme::System, Theme::Light, Theme::Dark})
        if (name == themeName(theme))
            return theme;
    return std::nullopt;
}

Settings Settings::load(QSettings& store)
{
    Settings s;
    const attn::Config defaults;
    s.text = store.value(u"text"_qs, defaultText()).toString();
    s.sourceText = store.value(u"sourceText"_qs).toString();
    attn::Config& c = s.config;
    c.heads = store.value(u"layer/heads"_qs, defaults.heads).toInt();
    c.d_k = store.value(u"layer/dk"_qs, defaults.d_k).toInt();
    c.d_v = store.value(u"layer/dv"_qs, defaults.d_v).toInt();
    c.d_model = store.value(u"layer/dmodel"_qs, defaults.d_model).toInt();
    c.seed = store.value(u"layer/seed"_qs, quint64(defaults.seed)).toULongLong();
    c.causal = store.value(u"layer/causal"_qs, defaults.causal).toBool();
    c.scaling = store.value(u"layer/scaled"_qs, true).toBool() ? attn::Scaling::InvSqrtDk : attn::Scaling::None;
    c.temperature = store.value(u"layer/temperature"_qs, double(defaults.temperature)).toFloat();
    // A settings file from elsewhere may hold anything; out-of-range values fall back.
    try {
        attn::validate(c);
    } catch (...) {
        c = defaults;
    }
    try {
        c.positional = attn::positionalFromString(store.value(u"layer/positional"_qs).toString().toStdString());
    } catch (...) {
        c.positional = defaults.positional; // missing or unknown: only this setting falls back
    }
    try {
        s.backend = attn::backendKindFromString(store.value(u"layer/backend"_qs, u"auto"_qs).toString().toStdString());
    } catch (...) {
        s.backend = attn::BackendKind::Auto;
    }
    s.colorMap = ColorMap::fromKey(store.value(u"view/colormap"_qs).toString());
    s.keepShare = std::clamp(store.value(u"view/keep"_qs, 1.0).toDouble(), 0.0, 1.0);
    s.hideFirst = store.value(u"view/hideFirst"_qs, false).toBool();
    s.unitColorScale = store.value(u"view/unitColorScale"_qs, false).toBool();
    // By name; earlier versions stored the enum's number (0, 1, 2).
    const QString theme = store.value(u"view/theme"_qs).toString();
    const QStringList byNumber = {themeName(Theme::System), themeName(Theme::Light), themeName(Theme::Dark)};
    bool isNumber = false;
    const int number = theme.toInt(&isNumber);
    s.theme = themeFromName(isNumber ? byNumber.value(number) : theme).value_or(Theme::System);
    s.view = store.value(u"view/current"_qs, s.view).toString();
    s.detailHead = std::max(0, store.value(u"view/detailHead"_qs, 0).toInt());
    s.exportFolder = store.value(u"export/folder"_qs).toString();
    s.sessionFolder = store.value(u"session/folder"_qs).toString();
    s.textSessionFile = store.value(u"session/textFile"_qs).toString();
    s.exportFormat = store.value(u"export/format"_qs).toString() == u"svg" ? u"svg"_qs : u"png"_qs;
    s.exportPage = store.value(u"export/page"_qs).toSize();
    s.exportScale = std::clamp(store.value(u"export/scale"_qs, s.exportScale).toInt(), 1, 4);
    s.geometry = store.value(u"window/geometry"_qs).toByteArray();
    s.geometryScreen = store.value(u"window/screen"_qs).toSize();
    s.windowState = store.value(u"window/state"_qs).toByteArray();
    return s;
}

void Settings::save(QSettings& store) const
{
    store.setValue(u"text"_qs, text);
    store.setValue(u"sourceText"_qs, sourceText);
    store.setValue(u"layer/heads"_qs, config.heads);
    store.setValue(u"layer/dk"_qs, config.d_k);
    store.setValue(u"layer/dv"_qs, config.d_v);
    store.setValue(u"layer/dmodel"_qs, config.d_model);
    store.setValue(u"layer/seed"_qs, quint64(config.seed));
    store.setValue(u"layer/causal"_qs, config.causal);
    store.setValue(u"layer/scaled"_qs, config.scaling == attn::Scaling::InvSqrtDk);
    store.setValue(u"layer/temperature"_qs, double(config.temperature));
    store.setValue(u"layer/positional"_qs, QString::fromStdString(attn::toString(config.positional)));
    store.setValue(u"layer/backend"_qs, QString::fromStdString(attn::toString(backend)));
    store.setValue(u"view/colormap"_qs, ColorMap::key(colorMap));
    store.setValue(u"view/keep"_qs, keepShare);
    store.setValue(u"view/hideFirst"_qs, hideFirst);
    store.setValue(u"view/unitColorScale"_qs, unitColorScale);
    store.setValue(u"view/theme"_qs, themeName(theme));
    store.setValue(u"export/folder"_qs, exportFolder);
    store.setValue(u"session/folder"_qs, sessionFolder);
    store.setValue(u"session/textFile"_qs, textSessionFile);
    store.setValue(u"export/format"_qs, exportFormat);
    store.setValue(u"export/page"_qs, exportPage);
    store.setValue(u"export/scale"_qs, exportScale);
    store.setValue(u"view/current"_qs, view);
    store.setValue(u"view/detailHead"_qs, detailHead);
    store.setValue(u"window/geometry"_qs, geometry);
    store.setValue(u"window/screen"_qs, geometryScreen);
    store.setValue(u"window/state"_qs, windowState);
}
