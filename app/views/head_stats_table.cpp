#include "head_stats_table.h"

#include "head_stats_model.h"

#include <QHeaderView>
#include <QTimer>

#include <algorithm>

HeadStatsTable::HeadStatsTable(QWidget* parent) : QTableView(parent) {}

void HeadStatsTable::setModel(QAbstractItemModel* model)
{
    QTableView::setModel(model); // the header has its sections from here on
    horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    horizontalHeader()->setSectionResizeMode(HeadStatsModel::Pattern, QHeaderView::Stretch);
    // New statistics may need wider words; decided once the columns have their new sizes.
    const auto refit = [this] { QTimer::singleShot(0, this, &HeadStatsTable::fitPattern); };
    connect(model, &QAbstractItemModel::modelReset, this, refit);
    connect(model, &QAbstractItemModel::layoutChanged, this, refit);
    connect(model, &QAbstractItemModel::dataChanged, this, refit);
}

void HeadStatsTable::resizeEvent(QResizeEvent* event)
{
    QTableView::resizeEvent(event);
    fitPattern();
}

void HeadStatsTable::fitPattern()
{
    QHeaderView* header = horizontalHeader();
    if (!model() || header->count() <= HeadStatsModel::Pattern)
        return;
    int others = 0;
    for (int column = 0; column < header->count(); ++column)
        if (column != HeadStatsModel::Pattern && !header->isSectionHidden(column))
            others += header->sectionSize(column);
    const int words = std::max(sizeHintForColumn(HeadStatsModel::Pattern), header->sectionSizeHint(HeadStatsModel::Pattern));
    const auto mode = others + words > viewport()->width() ? QHeaderView::ResizeToContents : QHeaderView::Stretch;
    if (header->sectionResizeMode(HeadStatsModel::Pattern) != mode)
        header->setSectionResizeMode(HeadStatsModel::Pattern, mode);
}
