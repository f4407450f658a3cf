// The head statistics of a trace as a table (one row per head), for a dock beside the
// views. Display text is formatted; SortRole holds the raw number, so a
// QSortFilterProxyModel with setSortRole(HeadStatsModel::SortRole) sorts by value.
#pragma once

#include "compute/head_stats_of.h"

#include <QAbstractTableModel>

#include <vector>

class HeadStatsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        Head,
        Pattern,
        Entropy,           // nats
        NormalizedEntropy, // 0 .. 1
        Distance,          // tokens
        Self,
        Previous,
        First,
        MeanLargest,
        Largest,
        ColumnCount
    };
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit HeadStatsModel(QObject* parent = nullptr);

    // The table of these statistics (null: none), computed on a worker thread.
    void setStats(HeadStatsPtr stats);
    const std::vector<attn::HeadStats>& stats() const { return *m_stats; }
    // The same, to be shared with the views that show the trace.
    HeadStatsPtr sharedStats() const { return m_stats; }

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    HeadStatsPtr m_stats = std::make_shared<std::vector<attn::HeadStats>>();
};
