// The messages of failures: a caught exception, and a backend that fell back.
#pragma once

#include <QString>

#include <exception>
#include <string>

// The engine's own words for an attn::Error; for running out of memory "Not enough memory
// <whileDoing>; <remedy>."; for anything else "Failed <whileDoing>: <what>".
QString failureText(const std::exception_ptr& failure, const QString& whileDoing, const QString& remedy);

// "<reason>; ran <backend> instead." for a request that fell back to another backend; the
// reason's own full stop is dropped.
QString fallbackText(const std::string& reason, const std::string& backend);
