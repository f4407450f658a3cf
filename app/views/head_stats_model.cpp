#include "head_stats_model.h"

#include "paint_common.h"

#include <optional>

namespace {

// Missing values (self and previous token under cross-attention) sort before any share.
constexpr double missingSortValue = -1.0;

std::optional<double> number(const attn::HeadStats& s, int column)
{
    switch (column) {
    case HeadStatsModel::Head: return double(s.head + 1);
    case HeadStatsModel::Entropy: return s.entropy;
    case HeadStatsModel::NormalizedEntropy: return s.normalizedEntropy;
    case HeadStatsModel::Distance: return s.meanDistance;
    case HeadStatsModel::Self: return s.selfShare;
    case HeadStatsModel::Previous: return s.previousShare;
    case HeadStatsModel::First: return s.firstShare;
    case HeadStatsModel::MeanLargest: return s.meanLargest;
    case HeadStatsModel::Largest: return s.largest;
    default: return std::nullopt;
    }
}

} // namespace

HeadStatsModel::HeadStatsModel(QObject* parent) : QAbstractTableModel(parent) {}

void HeadStatsModel::setStats(HeadStatsPtr stats)
{
    beginResetModel();
    m_stats = stats ? std::move(stats) : std::make_shared<const std::vector<attn::HeadStats>>();
    endResetModel();
}

int HeadStatsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_stats->size());
}

int HeadStatsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HeadStatsModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const attn::HeadStats& s = (*m_stats)[std::size_t(index.row())];
    const int column = index.column();
    if (column == Pattern) {
        if (role == Qt::DisplayRole || role == SortRole)
            return QString::fromStdString(attn::toString(s.pattern));
        if (role == Qt::ToolTipRole)
            return QString::fromStdString(s.description);
        return {};
    }
    const std::optional<double> value = number(s, column);
    switch (role) {
    case Qt::DisplayRole:
        if (!value)
            return u"–"_qs;
        if (column == Head)
            return s.head + 1;
        if (column == Distance || column == Entropy || column == NormalizedEntropy)
            return QString::number(*value, 'f', column == NormalizedEntropy ? 3 : 2);
        return paintkit::shareFigureText(*value); // at thousands of tokens every share is under 0.01
    case SortRole: return value ? *value : missingSortValue;
    case Qt::TextAlignmentRole: return int(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::ToolTipRole:
        return value ? QString::fromStdString(s.description)
                     : u"Not defined: queries and keys come from texts of different lengths."_qs;
    default: return {};
    }
}

QVariant HeadStatsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    static const char16_t* const titles[] = {u"Head", u"Pattern", u"Entropy (nats)", u"Entropy / max", u"Distance",
                                             u"Self", u"Previous", u"First", u"Mean largest", u"Largest"};
    static const char16_t* const tips[] = {
        u"Head number, from 1",
        u"The dominant pattern in plain words (hover a row for the full description)",
        u"Mean entropy of the rows, in nats",
        u"Mean entropy divided by ln of the visible keys: 0 = one key, 1 = even",
        u"Mean attention distance Σ w·|i−j|, in tokens",
        u"Mean weight on the token itself",
        u"Mean weight on the previous token",
        u"Mean weight on the first token",
        u"Mean over rows of the largest weight",
        u"The largest weight of the rows counted (a causal head's first row, always 1, left out)",
    };
    if (role == Qt::DisplayRole)
        return QString::fromUtf16(titles[section]);
    if (role == Qt::ToolTipRole)
        return QString::fromUtf16(tips[section]);
    return {};
}
