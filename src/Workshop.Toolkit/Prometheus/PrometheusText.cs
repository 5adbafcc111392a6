using System.Globalization;
using System.Text;

namespace Workshop.Toolkit.Prometheus;

/// <summary>One sample line of a Prometheus exposition: <c>name{label="value"} 42 1700000000000</c>.</summary>
/// <param name="Name">The sample name, suffix included (<c>http_server_request_duration_seconds_bucket</c>).</param>
/// <param name="Labels">Label names and unescaped values.</param>
/// <param name="Value">The value; may be NaN or ±infinity.</param>
/// <param name="TimestampMs">The optional timestamp, in milliseconds since the Unix epoch.</param>
public sealed record MetricSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value, long? TimestampMs = null)
{
    /// <summary>The label's value, or null when the sample has no such label.</summary>
    public string? Label(string name) => Labels.GetValueOrDefault(name);
}

/// <summary>Parses the Prometheus text exposition format (version 0.0.4), which the services' /metrics serve.</summary>
public static class PrometheusText
{
    /// <summary>
    /// Parses every sample line. Comments (<c># HELP</c>, <c># TYPE</c>, <c># EOF</c>) and blank lines are skipped;
    /// label values are unescaped (<c>\\</c>, <c>\"</c>, <c>\n</c>); values may be <c>NaN</c>, <c>+Inf</c>, <c>-Inf</c>.
    /// </summary>
    /// <exception cref="FormatException">A line is malformed; the message gives its number and text.</exception>
    public static IReadOnlyList<MetricSample> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var samples = new List<MetricSample>();
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            try
            {
                samples.Add(new LineReader(line).ReadSample());
            }
            catch (FormatException e)
            {
                throw new FormatException($"Prometheus text, line {number}: {e.Message} in '{line}'.", e);
            }
        }

        return samples;
    }

    /// <summary>Parses a sample value the way Prometheus writes them.</summary>
    public static double ParseValue(string token) => token.ToLowerInvariant() switch
    {
        "nan" => double.NaN,
        "+inf" or "inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        _ => double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"'{token}' is not a number"),
    };

    private ref struct LineReader(string line)
    {
        private readonly string _line = line;
        private int _at;

        public MetricSample ReadSample()
        {
            var name = _line[_at] == '{' ? null : ReadName();
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            SkipSpaces();
            if (Peek() == '{') name = ReadLabels(labels, name);
            if (name is null) throw new FormatException("missing metric name");

            SkipSpaces();
            var value = ParseValue(ReadToken() ?? throw new FormatException("missing value"));
            SkipSpaces();
            long? timestamp = null;
            // Anything after " # " is an OpenMetrics exemplar, which this reader has no use for.
            if (Peek() is not ('\0' or '#'))
            {
                var token = ReadToken()!;
                timestamp = long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ms)
                    ? ms
                    : throw new FormatException($"'{token}' is not a timestamp");
                SkipSpaces();
                if (Peek() is not ('\0' or '#')) throw new FormatException("unexpected text after the timestamp");
            }

            return new MetricSample(name, labels, value, timestamp);
        }

        /// <summary>Reads <c>{a="b",c="d"}</c>; a leading quoted string is the metric name (UTF-8 names, Prometheus 3).</summary>
        private string? ReadLabels(Dictionary<string, string> labels, string? name)
        {
            _at++; // {
            while (true)
            {
                SkipSpaces();
                if (Peek() == '}')
                {
                    _at++;
                    return name;
                }

                string key;
                if (Peek() == '"')
                {
                    key = ReadQuoted();
                    SkipSpaces();
                    if (Peek() is ',' or '}')
                    {
                        name = name is null ? key : throw new FormatException("two metric names");
                        if (Peek() == ',') _at++;
                        continue;
                    }
                }
                else
                {
                    key = ReadName();
                }

                SkipSpaces();
                Expect('=');
                SkipSpaces();
                if (Peek() != '"') throw new FormatException($"label '{key}' has no quoted value");
                labels[key] = ReadQuoted();
                SkipSpaces();
                if (Peek() == ',') _at++;
                else if (Peek() != '}') throw new FormatException("expected ',' or '}' after a label");
            }
        }

        private string ReadQuoted()
        {
            _at++; // opening quote
            var value = new StringBuilder();
            while (true)
            {
                if (_at >= _line.Length) throw new FormatException("unterminated label value");
                var c = _line[_at++];
                if (c == '"') return value.ToString();
                if (c != '\\' || _at >= _line.Length)
                {
                    value.Append(c);
                    continue;
                }

                var escaped = _line[_at++];
                value.Append(escaped switch
                {
                    'n' => "\n",
                    '\\' => "\\",
                    '"' => "\"",
                    _ => "\\" + escaped, // Not an escape the format defines: keep it as written.
                });
            }
        }

        private string ReadName()
        {
            var start = _at;
            while (_at < _line.Length && (char.IsAsciiLetterOrDigit(_line[_at]) || _line[_at] is '_' or ':')) _at++;
            if (_at == start || char.IsAsciiDigit(_line[start])) throw new FormatException($"expected a name at column {start + 1}");
            return _line[start.._at];
        }

        private string? ReadToken()
        {
            var start = _at;
            while (_at < _line.Length && _line[_at] is not (' ' or '\t')) _at++;
            return _at == start ? null : _line[start.._at];
        }

        private void Expect(char c)
        {
            if (Peek() != c) throw new FormatException($"expected '{c}' at column {_at + 1}");
            _at++;
        }

        private readonly char Peek() => _at < _line.Length ? _line[_at] : '\0';

        private void SkipSpaces()
        {
            while (_at < _line.Length && _line[_at] is ' ' or '\t') _at++;
        }
    }
}
