@echo off
rem The workshop command on Windows: builds src\Workshop.Cli (Release, incremental) and runs it.
rem Build output goes to stderr, so that "workshop replay 01 --json" prints JSON and nothing else on stdout.
setlocal
cd /d "%~dp0"
set DOTNET_CLI_TELEMETRY_OPTOUT=1
set DOTNET_NOLOGO=1
set DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet build src\Workshop.Cli\Workshop.Cli.csproj -c Release -v q --nologo -clp:NoSummary -nodeReuse:false 1>&2
if errorlevel 1 (
  echo workshop: the CLI did not build ^(see above^). 1>&2
  exit /b 1
)
dotnet src\Workshop.Cli\bin\Release\net10.0\workshop.dll %*
exit /b %ERRORLEVEL%
