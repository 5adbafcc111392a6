using Microsoft.Extensions.Options;

namespace Lab01;

/// <summary>
/// The lab's stand-in for a slow disk: every write that reaches the file stalls the writing thread for
/// <see cref="WriteDelay"/>, as a saturated or network-backed volume does. Every variant of the service writes its
/// log through it (this file is the same in each), so they all face the same disk. The delay is read at every write,
/// so a disk can slow down and recover under a running service, as real ones do (<c>workshop live 01</c>).
/// </summary>
public sealed class SlowDisk(Func<TimeSpan> writeDelay)
{
    public SlowDisk(TimeSpan writeDelay) : this(() => writeDelay)
    {
    }

    public TimeSpan WriteDelay => writeDelay();

    public static SlowDisk FromMilliseconds(int delayMs) => new(TimeSpan.FromMilliseconds(Math.Max(0, delayMs)));

    /// <summary>The disk the <c>Lab:LogSinkDelayMs</c> knob describes now, whenever it is set.</summary>
    public static SlowDisk Following(IOptionsMonitor<LabOptions> lab) => new(() => TimeSpan.FromMilliseconds(Math.Max(0, lab.CurrentValue.LogSinkDelayMs)));

    /// <summary>Opens (or creates) a file for appending, through the slow disk.</summary>
    public Stream OpenAppend(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        return Wrap(file);
    }

    public Stream Wrap(Stream inner) => new SlowStream(inner, this);

    private sealed class SlowStream(Stream inner, SlowDisk disk) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => inner.CanSeek;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => inner.Position = value; }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            // A blocking device blocks the calling thread: that is the whole point of the simulation.
            if (disk.WriteDelay is { Ticks: > 0 } delay) Thread.Sleep(delay);
            inner.Write(buffer);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (disk.WriteDelay is { Ticks: > 0 } delay) await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
        public override void SetLength(long value) => inner.SetLength(value);

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
