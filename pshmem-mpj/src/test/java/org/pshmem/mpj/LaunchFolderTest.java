package org.pshmem.mpj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which launch folders a later launcher removes: only those of a launcher gone from this host, and its ranks. */
class LaunchFolderTest
{
    @TempDir
    Path tmp;

    @Test
    void aLiveLaunchersFolderStays() throws IOException
    {
        final LaunchFolder folder = LaunchFolder.create(tmp);
        assertTrue(Files.isDirectory(folder.path().resolve("status")));
        assertTrue(folder.path().getFileName().toString().startsWith(LaunchFolder.PREFIX +
            ProcessHandle.current().pid() + "-"), folder.path().toString());
        assertEquals(List.of(), LaunchFolder.removeStale(tmp));
        assertTrue(Files.isDirectory(folder.path()));
        folder.delete();
        assertFalse(Files.exists(folder.path()));
    }

    @Test
    void aDeadLaunchersFolderGoesWithEverythingInIt() throws Exception
    {
        final Path stale = folder(deadPid(), 1234L, LaunchFolder.hostToken());
        Files.writeString(stale.resolve("status").resolve("rank-0.failed"), "x");
        Files.writeString(stale.resolve("machines"), "localhost\n");
        assertEquals(List.of(stale), LaunchFolder.removeStale(tmp));
        assertFalse(Files.exists(stale));
    }

    @Test
    void aReusedPidDoesNotKeepAFolder() throws IOException
    {
        final long start = ProcessHandle.current().info().startInstant().orElseThrow().toEpochMilli();
        final Path mine = folder(ProcessHandle.current().pid(), start, LaunchFolder.hostToken());
        final Path reused = folder(ProcessHandle.current().pid(), start - 1000, LaunchFolder.hostToken());
        final Path unknownStart = folder(ProcessHandle.current().pid(), 0L, LaunchFolder.hostToken());
        assertEquals(List.of(reused), LaunchFolder.removeStale(tmp));
        assertTrue(Files.exists(mine) && Files.exists(unknownStart));
    }

    @Test
    void aLiveRankOfThisHostKeepsItsFolderUntilItEnds() throws Exception
    {
        final Path folder = folder(deadPid(), 1234L, LaunchFolder.hostToken());
        final Path mark = folder.resolve("status").resolve("rank-1.pid");
        Files.writeString(mark, RankProcess.markOfThisProcess());
        assertEquals(List.of(), LaunchFolder.removeStale(tmp));
        Files.writeString(mark, deadPid() + " " + RankProcess.host());
        assertEquals(List.of(folder), LaunchFolder.removeStale(tmp));
    }

    @Test
    void foldersOfOtherHostsAndOtherNamesAreNotTouched() throws Exception
    {
        final Path otherHost = folder(deadPid(), 1234L, LaunchFolder.hostToken() + "x");
        final Path oldName = Files.createDirectory(tmp.resolve("pshmem-mpj-job4711"));
        final Path noRandom = Files.createDirectory(tmp.resolve(LaunchFolder.PREFIX + deadPid() + "-1-" +
            LaunchFolder.hostToken()));
        final Path file = Files.writeString(tmp.resolve(LaunchFolder.PREFIX + deadPid() + "-1-" +
            LaunchFolder.hostToken() + "-7"), "a file");
        assertEquals(List.of(), LaunchFolder.removeStale(tmp));
        assertTrue(Files.exists(otherHost) && Files.exists(oldName) && Files.exists(noRandom) && Files.exists(file));
    }

    /** A killed rank whose parent has not reaped it yet (a zombie) holds nothing, and keeps no folder. */
    @Test
    void aZombieIsNotRunning() throws Exception
    {
        // sh starts "true", then becomes "sleep", which never reaps it: "true" stays a zombie while sleep lives.
        final Process parent = new ProcessBuilder("sh", "-c", "true & exec sleep 20").start();
        try
        {
            ProcessHandle zombie = null;
            final long deadline = System.nanoTime() + 10_000_000_000L;
            while (null == zombie && System.nanoTime() < deadline)
            {
                zombie = parent.children().findFirst().orElse(null);
                if (null != zombie && !isZombie(zombie.pid()))
                {
                    zombie = null;
                }
                Thread.sleep(10);
            }
            assertTrue(null != zombie, "a zombie child of " + parent.pid());
            assertTrue(zombie.isAlive(), "ProcessHandle counts a zombie as alive");
            assertFalse(RankProcess.isRunning(zombie));
            assertTrue(RankProcess.isRunning(ProcessHandle.current()));
            final Path folder = folder(deadPid(), 1234L, LaunchFolder.hostToken());
            Files.writeString(folder.resolve("status").resolve("rank-0.pid"), zombie.pid() + " " + RankProcess.host());
            assertEquals(List.of(folder), LaunchFolder.removeStale(tmp));
        }
        finally
        {
            parent.destroyForcibly().waitFor();
        }
    }

    private static boolean isZombie(final long pid)
    {
        try
        {
            final String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) == 'Z';
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private Path folder(final long pid, final long start, final String host) throws IOException
    {
        final Path dir = Files.createTempDirectory(tmp, LaunchFolder.PREFIX + pid + "-" + start + "-" + host + "-");
        Files.createDirectory(dir.resolve("status"));
        return dir;
    }

    /** @return the pid of a process that has ended. */
    private static long deadPid() throws Exception
    {
        final Process process = new ProcessBuilder("true").start();
        process.waitFor();
        return process.pid();
    }
}
