#include "table.h"

#include <algorithm>
#include <cstdio>

namespace bench {

void Table::addRow()
{
    m_rows.emplace_back();
}

void Table::set(const std::string& column, const std::string& value)
{
    if (std::find(m_columns.begin(), m_columns.end(), column) == m_columns.end())
        m_columns.push_back(column);
    if (m_rows.empty())
        addRow();
    m_rows.back()[column] = value;
}

void Table::set(const std::string& column, double value, int decimals)
{
    if (m_rows.empty())
        addRow();
    set(m_rows.size() - 1, column, value, decimals);
}

void Table::set(std::size_t row, const std::string& column, double value, int decimals)
{
    if (std::find(m_columns.begin(), m_columns.end(), column) == m_columns.end())
        m_columns.push_back(column);
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    m_rows.at(row)[column] = text;
}

void Table::print(std::ostream& out) const
{
    std::vector<std::size_t> widths;
    for (const std::string& column : m_columns) {
        std::size_t width = column.size();
        for (const auto& row : m_rows) {
            const auto cell = row.find(column);
            width = std::max(width, cell == row.end() ? std::size_t(1) : cell->second.size());
        }
        widths.push_back(width);
    }
    const auto line = [&](auto cellOf) {
        std::string text;
        for (std::size_t c = 0; c < m_columns.size(); ++c) {
            const std::string cell = cellOf(c);
            text += std::string(widths[c] - cell.size() + (c ? 2 : 0), ' ') + cell;
        }
        out << text << '\n';
    };
    line([&](std::size_t c) { return m_columns[c]; });
    line([&](std::size_t c) { return std::string(widths[c], '-'); });
    for (const auto& row : m_rows)
        line([&](std::size_t c) {
            const auto cell = row.find(m_columns[c]);
            return cell == row.end() ? std::string("-") : cell->second;
        });
}

} // namespace bench
