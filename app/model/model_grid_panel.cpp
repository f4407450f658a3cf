#include "model_grid_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

ModelGridPanel::ModelGridPanel(QWidget* parent) : QWidget(parent)
{
    m_search = new QComboBox;
    for (HeadSearch search : headSearches())
        m_search->addItem(headSearchLabel(search), int(search));
    m_search->setToolTip(u"Outline the heads whose weights follow this pattern, ranked by the head statistics"_qs);
    m_sort = new QCheckBox(u"Best match first"_qs);
    m_sort->setToolTip(u"List the heads by how well they match instead of layer by layer"_qs);
    m_sort->setEnabled(false);
    auto* label = new QLabel(u"Find heads that"_qs);
    label->setBuddy(m_search);

    auto* bar = new QHBoxLayout;
    bar->addWidget(label);
    bar->addWidget(m_search);
    bar->addWidget(m_sort);
    bar->addStretch(1);

    m_grid = new ModelViewWidget(ModelViewId::Grid);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_grid, 1);

    connect(m_search, &QComboBox::currentIndexChanged, this, [this] {
        m_sort->setEnabled(search() != HeadSearch::None);
        emit searchChanged();
    });
    connect(m_sort, &QCheckBox::toggled, this, &ModelGridPanel::searchChanged);
}

HeadSearch ModelGridPanel::search() const
{
    return HeadSearch(m_search->currentData().toInt());
}

bool ModelGridPanel::sortBySearch() const
{
    return m_sort->isChecked();
}
