using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Workshop.Toolkit.Repository;

namespace Workshop.Cli.Gameday;

/// <summary>
/// A lab's game day, from its <c>gameday.json</c>: the alert an on-call engineer gets, the hints the game master gives
/// on a schedule, and the evidence a good investigation finds, each with the phrasings that count as naming it in a
/// team's written diagnosis (every pattern of <see cref="Evidence.Match"/> must be found, case-insensitive).
/// </summary>
internal sealed record GamedayBook(string Service, string Alert, IReadOnlyList<string> Hints, IReadOnlyList<Evidence> Evidence)
{
    public const string FileName = "gameday.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    /// <summary>True when the lab keeps a game day.</summary>
    public static bool Exists(LabInfo lab) => File.Exists(Path.Combine(lab.Directory, FileName));

    /// <summary>The lab's game day.</summary>
    /// <exception cref="InvalidOperationException">The file is missing, malformed, or a pattern does not compile.</exception>
    public static GamedayBook Read(LabInfo lab)
    {
        var path = Path.Combine(lab.Directory, FileName);
        GamedayBook? book;
        try
        {
            book = JsonSerializer.Deserialize<GamedayBook>(File.ReadAllText(path), Json);
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            throw new InvalidOperationException($"labs/{lab.Name}/{FileName} cannot be read: {e.Message}", e);
        }
        if (book is null || book.Hints.Count == 0 || book.Evidence.Count == 0 || book.Evidence.Any(e => e.Match.Count == 0))
            throw new InvalidOperationException($"labs/{lab.Name}/{FileName} needs an alert, hints, and evidence items each with at least one pattern to match.");
        foreach (var pattern in book.Evidence.SelectMany(e => e.Match))
        {
            try { _ = new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant); }
            catch (ArgumentException e) { throw new InvalidOperationException($"labs/{lab.Name}/{FileName}: the pattern '{pattern}' does not compile: {e.Message}", e); }
        }
        return book;
    }

    /// <summary>Which evidence items a written diagnosis names.</summary>
    public IReadOnlyList<bool> Marks(string diagnosis) =>
        [.. Evidence.Select(e => e.Match.All(p => Regex.IsMatch(diagnosis, p, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1))))];
}

/// <summary>One piece of evidence: its kind (metric, tool, root cause, fix), what it is, how to see it, and what names it.</summary>
/// <param name="Proof">A command or file that shows it; <c>{url}</c> and <c>{pid}</c> stand for the running service's.</param>
internal sealed record Evidence(string Kind, string Finding, string Proof, IReadOnlyList<string> Match);
