<#
.SYNOPSIS
    ungcuu Windows inventory collector: OS build, hotfixes (KB numbers),
    installed programs, listening ports and addresses, written as JSON.

.DESCRIPTION
    Writes one JSON file (UTF-8) for `ungcuu import windows-inventory` or
    the web UI. Huong dan tieng Viet: README.md beside this script.

    This file is kept ASCII-only on purpose: Windows PowerShell 5.1 reads a
    script without a BOM in the ANSI code page, where the UTF-8 bytes of
    Vietnamese letters include curly quotes that end strings.

    Windows PowerShell 5.1 (Windows 7 SP1 with WMF 5.1 and later), no
    modules, no administrator rights needed (programs installed for other
    users are not seen without them). Reads only; changes nothing.
    The format is described in README.md beside this script
    (schema "ungcuu-windows/1").

.PARAMETER Out
    The file to write (default .\ungcuu-inventory.json).

.EXAMPLE
    powershell -NoProfile -ExecutionPolicy Bypass -File collect.ps1 -Out D:\pc-ketoan-01.json
#>
[CmdletBinding()]
param(
    [string]$Out = '.\ungcuu-inventory.json'
)

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'
$Invariant = [System.Globalization.CultureInfo]::InvariantCulture

# A property of an object, or $null when it has none (StrictMode refuses
# to read a missing property).
function Get-Prop($Object, [string]$Name) {
    if ($null -eq $Object) { return $null }
    $p = $Object.PSObject.Properties[$Name]
    if ($null -eq $p) { return $null }
    return $p.Value
}

# A registry value as trimmed text, or $null when absent or empty.
function Get-Text($Key, [string]$Name) {
    $v = $Key.GetValue($Name)
    if ($null -eq $v) { return $null }
    $s = ([string]$v).Trim()
    if ($s.Length -eq 0) { return $null }
    return $s
}

# ---- operating system ----------------------------------------------------

function Get-OsInfo {
    $cv = Get-ItemProperty -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion'
    $build = [string](Get-Prop $cv 'CurrentBuildNumber')
    if (-not $build) { $build = [string](Get-Prop $cv 'CurrentBuild') }
    $major = Get-Prop $cv 'CurrentMajorVersionNumber'     # Windows 10 and later
    $minor = Get-Prop $cv 'CurrentMinorVersionNumber'
    if ($null -ne $major) {
        $version = '{0}.{1}.{2}' -f $major, $minor, $build
    } else {
        $version = '{0}.{1}' -f (Get-Prop $cv 'CurrentVersion'), $build   # 6.1.7601 on Windows 7
    }
    $ubr = Get-Prop $cv 'UBR'                              # absent before Windows 10
    if ($null -ne $ubr) { $ubr = [int64]$ubr }

    # Win32_OperatingSystem has the right name; the registry's ProductName
    # still says "Windows 10" on Windows 11.
    $caption = $null
    try {
        $caption = [string](Get-CimInstance -ClassName Win32_OperatingSystem -ErrorAction Stop).Caption
    } catch {
        try { $caption = [string](Get-WmiObject -Class Win32_OperatingSystem -ErrorAction Stop).Caption } catch { }
    }
    $product = [string](Get-Prop $cv 'ProductName')
    if (-not $caption) {
        $caption = $product
        if ($build -match '^\d+$' -and [int]$build -ge 22000) {
            $caption = $caption -replace 'Windows 10', 'Windows 11'
        }
    }
    $display = Get-Prop $cv 'DisplayVersion'               # 21H2 and later
    if (-not $display) { $display = Get-Prop $cv 'ReleaseId' }   # 1507 .. 2009

    if ([Environment]::Is64BitOperatingSystem) { $arch = '64-bit' } else { $arch = '32-bit' }
    return [ordered]@{
        caption         = $caption.Trim()
        product_name    = $product
        edition_id      = [string](Get-Prop $cv 'EditionID')
        display_version = [string]$display
        version         = $version
        build           = $build
        ubr             = $ubr
        architecture    = $arch
    }
}

# ---- hotfixes --------------------------------------------------------------

function Get-Hotfixes {
    $list = @()
    try {
        $list = @(Get-HotFix -ErrorAction Stop | ForEach-Object {
            $h = $_
            $id = [string]$h.HotFixID
            # Some machines list "File 1" entries: they are no updates.
            if ($id -notmatch '^KB\d+$') { return }
            $on = $null
            try {
                # InstalledOn is parsed from locale-formatted text and can
                # be missing or throw on some machines.
                if ($null -ne $h.InstalledOn) {
                    $on = $h.InstalledOn.ToString('yyyy-MM-dd', $Invariant)
                }
            } catch { }
            [ordered]@{
                id           = $id.ToUpperInvariant()
                description  = [string]$h.Description
                installed_on = $on
            }
        })
    } catch {
        Write-Warning ("Get-HotFix: " + $_.Exception.Message)
    }
    return ,$list
}

# ---- installed programs ----------------------------------------------------

# What "Programs and Features" shows from one Uninstall key: entries with
# a DisplayName that are no system components and no updates of another
# program.
function Read-Uninstall([Microsoft.Win32.RegistryHive]$Hive,
                        [Microsoft.Win32.RegistryView]$View,
                        [string]$Arch, [string]$Scope) {
    $base = [Microsoft.Win32.RegistryKey]::OpenBaseKey($Hive, $View)
    try {
        $root = $base.OpenSubKey('SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall')
        if ($null -eq $root) { return }
        try {
            foreach ($sub in $root.GetSubKeyNames()) {
                $k = $null
                try { $k = $root.OpenSubKey($sub) } catch { }
                if ($null -eq $k) { continue }
                try {
                    $name = Get-Text $k 'DisplayName'
                    if (-not $name) { continue }
                    if ($k.GetValue('SystemComponent') -eq 1) { continue }
                    if (Get-Text $k 'ParentKeyName') { continue }
                    $release = Get-Text $k 'ReleaseType'
                    if ($release -and $release -match 'Update|Hotfix') { continue }
                    [ordered]@{
                        name      = $name
                        version   = Get-Text $k 'DisplayVersion'
                        publisher = Get-Text $k 'Publisher'
                        arch      = $Arch
                        scope     = $Scope
                    }
                } finally {
                    $k.Close()
                }
            }
        } finally {
            $root.Close()
        }
    } finally {
        $base.Close()
    }
}

function Get-Programs {
    $hklm = [Microsoft.Win32.RegistryHive]::LocalMachine
    $hkcu = [Microsoft.Win32.RegistryHive]::CurrentUser
    $v64 = [Microsoft.Win32.RegistryView]::Registry64
    $v32 = [Microsoft.Win32.RegistryView]::Registry32
    $def = [Microsoft.Win32.RegistryView]::Default
    # Explicit views: a 32-bit PowerShell on 64-bit Windows would otherwise
    # be redirected to WOW6432Node and never see the 64-bit programs.
    $all = @()
    if ([Environment]::Is64BitOperatingSystem) {
        $all += @(Read-Uninstall $hklm $v64 'x64' 'machine')
        $all += @(Read-Uninstall $hklm $v32 'x86' 'machine')
    } else {
        $all += @(Read-Uninstall $hklm $def 'x86' 'machine')
    }
    # HKCU: the user running this script only (HKCU\Software is shared
    # between the 32- and 64-bit views).
    $all += @(Read-Uninstall $hkcu $def '' 'user')

    $seen = @{}
    $list = New-Object System.Collections.Generic.List[object]
    foreach ($p in $all) {
        $key = '{0}|{1}|{2}' -f $p.name, $p.version, $p.arch
        if ($seen.ContainsKey($key)) { continue }
        $seen[$key] = $true
        if ($p.arch -eq '') { $p.arch = $null }
        $list.Add($p)
    }
    return ,$list.ToArray()
}

# ---- listening ports and addresses ---------------------------------------

function Get-Listening {
    $list = New-Object System.Collections.Generic.List[object]
    $seen = @{}
    $procs = @{}
    try { Get-Process | ForEach-Object { $procs[[int]$_.Id] = $_.ProcessName } } catch { }

    $rows = @()
    if (Get-Command Get-NetTCPConnection -ErrorAction SilentlyContinue) {
        # Windows 8 / Server 2012 and later: with the owning process.
        try {
            $rows += @(Get-NetTCPConnection -State Listen -ErrorAction Stop | ForEach-Object {
                @{ proto = 'tcp'; address = [string]$_.LocalAddress; port = [int]$_.LocalPort; pid = [int]$_.OwningProcess } })
        } catch { }
        try {
            $rows += @(Get-NetUDPEndpoint -ErrorAction Stop | ForEach-Object {
                @{ proto = 'udp'; address = [string]$_.LocalAddress; port = [int]$_.LocalPort; pid = [int]$_.OwningProcess } })
        } catch { }
    } else {
        # Windows 7: .NET knows the sockets, not their processes.
        $ip = [System.Net.NetworkInformation.IPGlobalProperties]::GetIPGlobalProperties()
        $rows += @($ip.GetActiveTcpListeners() | ForEach-Object {
            @{ proto = 'tcp'; address = $_.Address.ToString(); port = [int]$_.Port; pid = -1 } })
        $rows += @($ip.GetActiveUdpListeners() | ForEach-Object {
            @{ proto = 'udp'; address = $_.Address.ToString(); port = [int]$_.Port; pid = -1 } })
    }
    foreach ($r in $rows) {
        if ($r.port -lt 1 -or $r.port -gt 65535) { continue }
        $addr = $r.address -replace '%.*$', ''              # fe80::1%12
        $key = '{0} {1} {2}' -f $r.proto, $addr, $r.port
        if ($seen.ContainsKey($key)) { continue }
        $seen[$key] = $true
        $name = $null
        if ($procs.ContainsKey($r.pid)) { $name = $procs[$r.pid] }
        $list.Add([ordered]@{ proto = $r.proto; address = $addr; port = $r.port; process = $name })
    }
    return ,$list.ToArray()
}

function Get-Addresses {
    $list = New-Object System.Collections.Generic.List[object]
    $loop = [System.Net.NetworkInformation.NetworkInterfaceType]::Loopback
    foreach ($nic in [System.Net.NetworkInformation.NetworkInterface]::GetAllNetworkInterfaces()) {
        if ($nic.NetworkInterfaceType -eq $loop) { continue }
        foreach ($u in $nic.GetIPProperties().UnicastAddresses) {
            $a = $u.Address
            if ([System.Net.IPAddress]::IsLoopback($a) -or $a.IsIPv6LinkLocal) { continue }
            $s = $a.ToString() -replace '%.*$', ''
            if (-not $list.Contains($s)) { $list.Add($s) }
        }
    }
    return ,$list.ToArray()
}

# ---- the document ----------------------------------------------------------

$doc = [ordered]@{
    schema       = 'ungcuu-windows/1'
    collector    = 'collect.ps1 1'
    hostname     = $env:COMPUTERNAME
    collected_at = (Get-Date).ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", $Invariant)
    os           = Get-OsInfo
    hotfixes     = Get-Hotfixes
    programs     = Get-Programs
    listening    = Get-Listening
    addresses    = Get-Addresses
}

# Windows PowerShell 5.1 writes arrays as {"value":[...],"Count":n} while
# this type data is loaded; without it, as plain arrays.
try { Remove-TypeData -TypeName System.Array -ErrorAction Stop } catch { }
$json = ConvertTo-Json -InputObject $doc -Depth 6

# UTF-8 without BOM ([IO.File] resolves relative paths against the process
# directory, not PowerShell's location: resolve first).
$path = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Out)
[System.IO.File]::WriteAllText($path, $json, (New-Object System.Text.UTF8Encoding $false))

Write-Host ('ungcuu: {0} programs, {1} hotfixes, {2} listening ports -> {3}' -f `
    $doc.programs.Count, $doc.hotfixes.Count, $doc.listening.Count, $path)
