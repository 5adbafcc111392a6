namespace Workshop.TestKit;

/// <summary>A fresh directory for one test's files (logs, dumps), removed when disposed.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix = "workshop")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public IReadOnlyList<FileInfo> Files() =>
        new DirectoryInfo(Path).EnumerateFiles("*", SearchOption.AllDirectories).OrderBy(f => f.Name, StringComparer.Ordinal).ToList();

    /// <summary>Every line of every file, in file name order.</summary>
    public IReadOnlyList<string> ReadAllLines() =>
        Files().SelectMany(f => ReadShared(f.FullName).Split('\n', StringSplitOptions.RemoveEmptyEntries)).Select(l => l.TrimEnd('\r')).ToList();

    public string ReadAllText() => string.Concat(Files().Select(f => ReadShared(f.FullName)));

    /// <summary>
    /// Waits until the files' text satisfies <paramref name="condition"/> or <paramref name="timeout"/> passes, and
    /// returns the text either way. A stopped test host can still be finishing its disposal (a log sink flushing)
    /// when its <c>DisposeAsync</c> returns; this waits for the outcome, not for a guessed length of time.
    /// </summary>
    public async Task<string> WaitForTextAsync(Func<string, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var text = ReadAllText();
            if (condition(text) || DateTime.UtcNow >= deadline) return text;
            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    // The service may still hold its files open; read without asking for exclusive access.
    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { /* a writer abandoned at shutdown may still hold a file; the OS temp cleaner takes it */ }
        catch (UnauthorizedAccessException) { }
    }
}
