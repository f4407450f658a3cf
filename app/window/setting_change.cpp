#include "setting_change.h"

#include "session/shortest_decimal.h"

#include <QStringList>

#include <array>
#include <utility>

namespace {

// Steps of one setting closer together than this are one change.
constexpr std::chrono::milliseconds mergeWindow(1500);

struct Setting {
    const char16_t* name;
    QString (*value)(const attn::Config&);
};

QString onOff(bool on)
{
    return on ? u"on"_qs : u"off"_qs;
}

// Every setting of the layer panel, in its order; a command's id is an index here.
const std::array<Setting, 8> settings = {{
    {u"heads", [](const attn::Config& c) { return QString::number(c.heads); }},
    {u"dₖ", [](const attn::Config& c) { return QString::number(c.d_k); }},
    {u"dᵥ", [](const attn::Config& c) { return c.d_v == 0 ? u"= dₖ"_qs : QString::number(c.d_v); }},
    {u"d_model", [](const attn::Config& c) { return QString::number(c.d_model); }},
    {u"seed", [](const attn::Config& c) { return QString::number(c.seed); }},
    {u"causal mask", [](const attn::Config& c) { return onOff(c.causal); }},
    {u"scaling by 1/√dₖ", [](const attn::Config& c) { return onOff(c.scaling == attn::Scaling::InvSqrtDk); }},
    {u"temperature", [](const attn::Config& c) { return QString::number(shortestDecimal(c.temperature)); }},
}};

// The indices of the settings that differ.
QList<int> changed(const attn::Config& before, const attn::Config& after)
{
    QList<int> indices;
    for (int i = 0; i < int(settings.size()); ++i)
        if (settings[std::size_t(i)].value(before) != settings[std::size_t(i)].value(after))
            indices << i;
    return indices;
}

} // namespace

QString settingChangeText(const attn::Config& before, const attn::Config& after)
{
    const QList<int> indices = changed(before, after);
    if (indices.size() != 1)
        return QString::number(indices.size()) + u" settings"_qs;
    const Setting& s = settings[std::size_t(indices.front())];
    const QString from = s.value(before), to = s.value(after);
    const QString name = QString::fromUtf16(s.name);
    if (to == u"on"_qs || to == u"off"_qs)
        return name + u' ' + to;
    return name + u' ' + from + u" → "_qs + to;
}

SettingChange::SettingChange(const attn::Config& before, const attn::Config& after,
                             std::function<void(const attn::Config&)> apply)
    : m_before(before), m_after(after), m_apply(std::move(apply)), m_last(std::chrono::steady_clock::now())
{
    setText(settingChangeText(before, after));
}

int SettingChange::id() const
{
    const QList<int> indices = changed(m_before, m_after);
    return indices.size() == 1 ? indices.front() : -1;
}

bool SettingChange::mergeWith(const QUndoCommand* other)
{
    const auto* next = static_cast<const SettingChange*>(other); // same id: a SettingChange
    if (next->m_before != m_after || next->m_last - m_last > mergeWindow)
        return false;
    m_after = next->m_after;
    m_last = next->m_last;
    setText(settingChangeText(m_before, m_after));
    setObsolete(m_before == m_after); // back where it began: nothing to undo
    return true;
}

void SettingChange::undo()
{
    m_apply(m_before);
    m_applied = false;
}

void SettingChange::redo()
{
    if (!m_applied)
        m_apply(m_after);
    m_applied = true;
}
