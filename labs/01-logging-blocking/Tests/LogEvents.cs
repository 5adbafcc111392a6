using System.Globalization;
using System.Text.Json;

namespace Lab01.Tests;

/// <summary>A request the spec sent: what its log event must say.</summary>
internal sealed record SentRequest(string Method, string Path, int Status, string TraceId);

/// <summary>
/// Reads request events by their values, not by the names a logging library gives its fields: a correct fix that
/// writes <c>Timestamp</c> and <c>TraceId</c> (ZLogger, Microsoft's JSON console) passes as one that writes CLEF's
/// <c>@t</c> and <c>@tr</c> (Serilog).
/// </summary>
internal static class LogEvents
{
    private static readonly string[] InformationLevels = ["Information", "Info", "INF", "information", "info"];

    public static JsonElement? TryParseObject(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            return doc.RootElement.ValueKind == JsonValueKind.Object ? doc.RootElement.Clone() : null;
        }
        catch (JsonException) { return null; }
    }

    /// <summary>What the best event for <paramref name="request"/> (the one that carries its trace id) lacks; every field when none does.</summary>
    public static IReadOnlyList<string> MissingFields(IEnumerable<JsonElement> events, SentRequest request)
    {
        IReadOnlyList<string> everything = ["trace id", "time", "level", "method", "path", "status", "elapsed time"];
        var best = everything;
        foreach (var e in events)
        {
            var values = Flatten(e).ToList();
            if (!values.Any(v => v.Value.ValueKind == JsonValueKind.String && v.Value.GetString()!.Contains(request.TraceId, StringComparison.OrdinalIgnoreCase))) continue;
            var missing = new List<string>();
            if (!values.Any(v => IsTimestamp(v.Value))) missing.Add("time");
            if (!values.Any(v => v.Value.ValueKind == JsonValueKind.String && InformationLevels.Contains(v.Value.GetString()))) missing.Add("level");
            if (!values.Any(v => v.Value.ValueKind == JsonValueKind.String && string.Equals(v.Value.GetString(), request.Method, StringComparison.OrdinalIgnoreCase))) missing.Add("method");
            if (!values.Any(v => v.Value.ValueKind == JsonValueKind.String && v.Value.GetString()!.Contains(request.Path, StringComparison.Ordinal))) missing.Add("path");
            if (!values.Any(v => v.Value.ValueKind == JsonValueKind.Number && v.Value.TryGetInt32(out var s) && s == request.Status)) missing.Add("status");
            if (!values.Any(v => v.Value.ValueKind == JsonValueKind.Number && (v.Name.Contains("elapsed", StringComparison.OrdinalIgnoreCase)
                                                                              || v.Name.Contains("duration", StringComparison.OrdinalIgnoreCase)))) missing.Add("elapsed time");
            if (missing.Count < best.Count) best = missing;
        }
        return best;
    }

    private static bool IsTimestamp(JsonElement value) =>
        value.ValueKind == JsonValueKind.String && value.GetString() is { Length: >= 19 } text && text.Contains('T', StringComparison.Ordinal)
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
        && Math.Abs((at - DateTimeOffset.UtcNow).TotalDays) < 1;

    private static IEnumerable<(string Name, JsonElement Value)> Flatten(JsonElement element, string name = "")
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                foreach (var inner in Flatten(property.Value, property.Name))
                    yield return inner;
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                foreach (var inner in Flatten(item, name))
                    yield return inner;
                break;
            default:
                yield return (name, element);
                break;
        }
    }
}
