// The example sentences of resources/examples.json, for the window's Examples menu.
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

struct Example {
    QString title;
    QString text;                      // the target text: the queries
    std::optional<QString> sourceText; // set: a cross-attention example
    QString note;                      // one sentence for the class; may be empty
};

struct ExamplesResult {
    QList<Example> examples;
    QString error; // empty on success
};

namespace examples {

// The resource path the window bundles the file under (see the report's wiring list).
inline constexpr char16_t resourcePath[] = u":/examples/examples.json";

ExamplesResult fromJson(const QByteArray& json);
ExamplesResult load(const QString& path = QString::fromUtf16(resourcePath));

} // namespace examples
