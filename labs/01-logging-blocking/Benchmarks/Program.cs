using BenchmarkDotNet.Running;

namespace Lab01.Benchmarks;

public static class Program
{
    // dotnet run -c Release --project labs/01-logging-blocking/Benchmarks -- --filter '*' --job short --inProcess
    // dotnet run -c Release --project labs/01-logging-blocking/Benchmarks -- paired --in-flight 16   (see results/README.md)
    public static int Main(string[] args)
    {
        if (args.FirstOrDefault() == "paired") return PairedRun.Run(args[1..]);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
