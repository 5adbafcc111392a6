namespace Workshop.Toolkit.Processes;

/// <summary>
/// The repository's cross-process build lock, <c>.workshop/build.lock</c>: held while a lab or the CLI builds, so a
/// check, a replay, a test run and a notebook never build the same obj/ folders at once. An OS file lock, released
/// by the kernel even if the holder dies; the <c>./workshop</c> script takes the same one with flock(1).
/// </summary>
public static class BuildLock
{
    /// <summary>Waits for the lock of the repository at <paramref name="root"/>; dispose the result to release it.</summary>
    public static async Task<IDisposable> AcquireAsync(string root, CancellationToken ct)
    {
        var path = Path.Combine(root, ".workshop", "build.lock");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                // Someone else is building; builds take seconds, so polling costs nothing worth a wait handle.
                await Task.Delay(TimeSpan.FromMilliseconds(250), ct).ConfigureAwait(false);
            }
        }
    }
}
