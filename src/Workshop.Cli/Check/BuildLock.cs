namespace Workshop.Cli.Check;

/// <summary>
/// The toolkit's cross-process build lock, <c>.workshop/build.lock</c>: held while a lab builds, so a check and a
/// replay (or a test run, or a notebook) never build the same obj/ folders at once. An OS file lock, released by
/// the kernel even if we die; the ./workshop script takes the same one with flock(1).
/// </summary>
internal static class BuildLock
{
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
