using System.Threading.Channels;
using Workshop.Cli.Infrastructure;

namespace Workshop.Cli.Check;

/// <summary>How `check --watch` waits: the quiet time after a save, and how often it compares when no event comes.</summary>
internal sealed record WatchTiming(TimeSpan Debounce, TimeSpan PollInterval)
{
    public static WatchTiming Default { get; } = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2));
}

/// <summary>
/// Waits for a save under a folder (bin/ and obj/ ignored). What counts is the folder's
/// <see cref="SourceFingerprint"/>: FileSystemWatcher events only wake the check early, and a poll every
/// <c>pollInterval</c> finds what events miss (network and container mounts, editors that swap files, a
/// watcher that could not start). A burst of writes (a save, a formatter, a git checkout) is one change: the
/// fingerprint must hold still for the debounce period first.
/// </summary>
internal sealed class ChangeWatcher : IDisposable
{
    private readonly string _directory;
    private readonly TimeSpan _debounce;
    private readonly TimeSpan _pollInterval;
    private readonly FileSystemWatcher? _watcher;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private string _baseline;

    public ChangeWatcher(string directory, TimeSpan debounce, TimeSpan pollInterval, bool useFileEvents = true)
    {
        _directory = Path.GetFullPath(directory);
        _debounce = debounce;
        _pollInterval = pollInterval;
        _baseline = SourceFingerprint.Of(_directory);
        if (useFileEvents) _watcher = TryWatch();
    }

    /// <summary>True when file events are on; false when only polling finds changes.</summary>
    public bool UsesFileEvents => _watcher is not null;

    /// <summary>Completes once the folder has changed since the last change returned (or since construction) and settled.</summary>
    public async Task WaitForChangeAsync(CancellationToken ct)
    {
        while (true)
        {
            await WakeAsync(_pollInterval, ct).ConfigureAwait(false);
            var seen = SourceFingerprint.Of(_directory);
            if (seen == _baseline) continue;

            while (true)
            {
                await Task.Delay(_debounce, ct).ConfigureAwait(false);
                var again = SourceFingerprint.Of(_directory);
                if (again == seen) break;
                seen = again;
            }
            while (_wake.Reader.TryRead(out _)) { } // events of the burst just absorbed
            _baseline = seen;
            return;
        }
    }

    public void Dispose() => _watcher?.Dispose();

    /// <summary>Waits for a file event or for <paramref name="timeout"/>, whichever comes first.</summary>
    private async Task WakeAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(timeout);
        try
        {
            await _wake.Reader.ReadAsync(timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // The poll interval elapsed.
        }
    }

    private FileSystemWatcher? TryWatch()
    {
        try
        {
            var watcher = new FileSystemWatcher(_directory)
            {
                IncludeSubdirectories = true,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
            };
            void OnEvent(object sender, FileSystemEventArgs e)
            {
                if (!SourceFingerprint.IsInBuildOutput(_directory, e.FullPath)) _wake.Writer.TryWrite(true);
            }
            watcher.Changed += OnEvent;
            watcher.Created += OnEvent;
            watcher.Deleted += OnEvent;
            watcher.Renamed += (sender, e) => OnEvent(sender, e);
            watcher.Error += (_, _) => _wake.Writer.TryWrite(true); // events were lost: look now
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception e) when (e is IOException or PlatformNotSupportedException or ArgumentException)
        {
            // Out of inotify watches, or no file events on this file system: polling alone finds changes.
            return null;
        }
    }
}
