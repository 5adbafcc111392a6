using System.Text.Json;
using System.Text.Json.Serialization;

namespace Workshop.Cli.Infrastructure;

/// <summary>The last spec check of a lab against the learner's Broken copy.</summary>
internal sealed class CheckRecord
{
    /// <summary>"green" or "red".</summary>
    public string Result { get; set; } = "red";

    public int Passed { get; set; }

    public int Failed { get; set; }

    public int Total { get; set; }

    public DateTimeOffset At { get; set; }

    public double Seconds { get; set; }

    /// <summary>Why a check is red without a failing test ("the spec did not build").</summary>
    public string? Note { get; set; }

    /// <summary>Broken's sources at the time (see <see cref="SourceFingerprint"/>), so `list` can tell when they changed since.</summary>
    public string? BrokenFingerprint { get; set; }

    [JsonIgnore]
    public bool IsGreen => Result == "green";
}

/// <summary>What the workshop remembers about one lab for its learner.</summary>
internal sealed class LabStatus
{
    public CheckRecord? Check { get; set; }

    /// <summary>How many hints have been shown (0: none yet).</summary>
    public int HintsShown { get; set; }
}

/// <summary>
/// <c>.workshop/status.json</c> at the repository root (git-ignored): the last check and the hints shown, per lab.
/// Every update reads the file afresh and replaces it whole, so a watch in one terminal and a hint in another do
/// not lose each other's writes, and a half-written file is never read.
/// </summary>
internal sealed class StatusStore(string path)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string Path { get; } = path;

    public IReadOnlyDictionary<string, LabStatus> ReadAll()
    {
        try
        {
            return File.Exists(Path)
                ? JsonSerializer.Deserialize<StatusFile>(File.ReadAllText(Path), Json)?.Labs ?? new Dictionary<string, LabStatus>()
                : new Dictionary<string, LabStatus>();
        }
        catch (JsonException)
        {
            // A hand-edited or truncated file only costs the learner their history, never a crash.
            return new Dictionary<string, LabStatus>();
        }
    }

    public LabStatus Read(string lab) => ReadAll().TryGetValue(lab, out var status) ? status : new LabStatus();

    public LabStatus Update(string lab, Action<LabStatus> change)
    {
        var all = new Dictionary<string, LabStatus>(ReadAll(), StringComparer.Ordinal);
        if (!all.TryGetValue(lab, out var status)) all[lab] = status = new LabStatus();
        change(status);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var temp = $"{Path}.{Environment.ProcessId}.tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(new StatusFile { Labs = all }, Json));
        File.Move(temp, Path, overwrite: true);
        return status;
    }

    private sealed class StatusFile
    {
        public Dictionary<string, LabStatus> Labs { get; set; } = new(StringComparer.Ordinal);
    }
}
