using System.Globalization;
using System.Text.RegularExpressions;

namespace Workshop.Toolkit.Repository;

/// <summary>One lab: <paramref name="Id"/> "01", <paramref name="Name"/> "01-logging-blocking", and its folder.</summary>
public sealed record LabInfo(string Id, string Name, string Directory)
{
    /// <summary>The variant folders that hold a project (Broken, Fixed, NaiveFix, Tests, ...).</summary>
    public IReadOnlyList<string> Variants() =>
        System.IO.Directory.EnumerateDirectories(Directory)
            .Where(d => System.IO.Directory.EnumerateFiles(d, "*.csproj").Any())
            .Select(Path.GetFileName)
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>
    /// The configuration key through which a lab service learns the knobs its lab's other variants read (the service
    /// kit's <c>WorkshopServiceExtensions.OtherVariantsKnobsKey</c>): set on every variant a replay or a spec starts,
    /// since they set the same knobs on all, and a knob only the fix reads is no mistake on Broken.
    /// </summary>
    public const string OtherVariantsKnobsKey = "Workshop:OtherVariantsKnobs";

    /// <summary>
    /// The knobs (keys of the <c>Lab</c> section) that the lab's Broken and Fixed list in their <c>appsettings.json</c>,
    /// comma-separated: what any variant of the lab may be told (alternatives run on Broken's settings).
    /// </summary>
    public string KnobsOfAnyVariant()
    {
        var knobs = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var variant in new[] { "Broken", "Fixed" })
        {
            var file = Path.Combine(Directory, variant, "appsettings.json");
            if (!File.Exists(file)) continue;
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(file),
                new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (json.RootElement.TryGetProperty("Lab", out var lab) && lab.ValueKind == System.Text.Json.JsonValueKind.Object)
                foreach (var knob in lab.EnumerateObject()) knobs.Add(knob.Name);
        }
        return string.Join(",", knobs);
    }

    /// <summary>The project file of a variant folder ("Broken", "Fixed", "NaiveFix"; case-insensitive).</summary>
    /// <exception cref="ArgumentException">The lab has no such variant.</exception>
    public string ProjectFile(string variant)
    {
        var folder = Variants().FirstOrDefault(v => string.Equals(v, variant, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException(
                $"Lab {Name} has no variant '{variant}'. Known variants: {string.Join(", ", Variants())}.", nameof(variant));
        var projects = System.IO.Directory.GetFiles(Path.Combine(Directory, folder), "*.csproj");
        return projects.Length == 1
            ? projects[0]
            : throw new InvalidOperationException($"{Path.Combine(Directory, folder)} holds {projects.Length} project files; expected one.");
    }
}

/// <summary>The labs under <c>labs/</c>, named <c>NN-name</c>.</summary>
public static partial class Labs
{
    [GeneratedRegex(@"^(\d{2})-[a-z0-9-]+$")]
    private static partial Regex LabFolder();

    /// <summary>Every lab, in order.</summary>
    public static IReadOnlyList<LabInfo> All() => All(Repo.Root);

    /// <summary>Every lab under <paramref name="root"/>'s <c>labs/</c> folder, in order (a scratch copy of the repository, say).</summary>
    public static IReadOnlyList<LabInfo> All(string root)
    {
        var labs = Path.Combine(root, "labs");
        if (!Directory.Exists(labs)) return [];
        return Directory.EnumerateDirectories(labs)
            .Select(dir => (dir, match: LabFolder().Match(Path.GetFileName(dir))))
            .Where(x => x.match.Success)
            .Select(x => new LabInfo(x.match.Groups[1].Value, x.match.Value, x.dir))
            .OrderBy(l => l.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Finds a lab by id ("01" or "1") or by full name ("01-logging-blocking").</summary>
    /// <exception cref="ArgumentException">No lab matches; the message lists the known labs.</exception>
    public static LabInfo Find(string lab) => Find(All(), lab);

    /// <summary>Finds a lab among <paramref name="all"/> by id ("01" or "1") or by full name.</summary>
    /// <exception cref="ArgumentException">No lab matches; the message lists the known labs.</exception>
    public static LabInfo Find(IReadOnlyList<LabInfo> all, string lab)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var key = lab.Trim();
        var id = int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n.ToString("D2", CultureInfo.InvariantCulture)
            : null;
        return all.FirstOrDefault(l => id is not null ? l.Id == id : string.Equals(l.Name, key, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException(
                $"No lab '{lab}'. Known labs: {(all.Count == 0 ? "none" : string.Join(", ", all.Select(l => l.Name)))}.", nameof(lab));
    }
}
