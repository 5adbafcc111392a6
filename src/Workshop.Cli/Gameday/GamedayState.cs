using System.Text.Json;

namespace Workshop.Cli.Gameday;

/// <summary>
/// The game day that runs, written by <c>workshop gameday</c> to <c>.workshop/gameday.json</c> and read by
/// <c>--reveal</c>, which names the lab from it and stops every process it lists. It names the lab: the game master's,
/// not the teams'.
/// </summary>
internal sealed record GamedayState(string Lab, int Seed, DateTimeOffset Started, int Minutes, string Url, int Pid, IReadOnlyList<int> Services)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string PathIn(string stateDirectory) => System.IO.Path.Combine(stateDirectory, "gameday.json");

    public static GamedayState? Read(string stateDirectory)
    {
        var path = PathIn(stateDirectory);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<GamedayState>(File.ReadAllText(path), Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Write(string stateDirectory)
    {
        Directory.CreateDirectory(stateDirectory);
        var path = PathIn(stateDirectory);
        File.WriteAllText(path + ".tmp", JsonSerializer.Serialize(this, Json));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>True while a process of that id runs (a zombie counts as gone).</summary>
    public static bool IsRunning(int pid)
    {
        if (!Directory.Exists("/proc/self"))
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                return !process.HasExited;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }
}
