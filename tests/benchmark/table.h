// A plain-text table whose columns appear in the order they are first used, so that
// later measurements (Vulkan, GUI painting) add columns without touching the printer.
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace bench {

class Table {
public:
    // Starts a new row; cells are then set by column name.
    void addRow();
    void set(const std::string& column, const std::string& value);
    void set(const std::string& column, double value, int decimals);
    // A cell of an earlier row (0 = the first).
    void set(std::size_t row, const std::string& column, double value, int decimals);

    // Right-aligned columns, a header line and a rule; empty cells print as "-".
    void print(std::ostream& out) const;

private:
    std::vector<std::string> m_columns;
    std::vector<std::map<std::string, std::string>> m_rows;
};

} // namespace bench
