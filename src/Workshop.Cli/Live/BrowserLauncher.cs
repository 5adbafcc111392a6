using System.Diagnostics;

namespace Workshop.Cli.Live;

/// <summary>Opens a page in the default browser where there is one; says nothing and does nothing where there is none (a server, CI).</summary>
internal static class BrowserLauncher
{
    /// <summary>True when a browser was asked to open <paramref name="page"/>.</summary>
    public static bool TryOpen(Uri page)
    {
        ArgumentNullException.ThrowIfNull(page);
        ProcessStartInfo? start = null;
        if (OperatingSystem.IsWindows() || OperatingSystem.IsMacOS())
        {
            start = new ProcessStartInfo(page.ToString()) { UseShellExecute = true };
        }
        else if ((Environment.GetEnvironmentVariable("DISPLAY") is { Length: > 0 } || Environment.GetEnvironmentVariable("WAYLAND_DISPLAY") is { Length: > 0 })
                 && Doctor.DoctorChecks.FindOnPath("xdg-open") is { } xdgOpen)
        {
            start = new ProcessStartInfo(xdgOpen, [page.ToString()]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        }
        if (start is null) return false;
        try
        {
            // The browser outlives the replay by design: it is the user's, not a child the replay must stop.
            using var process = Process.Start(start);
            return process is not null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
