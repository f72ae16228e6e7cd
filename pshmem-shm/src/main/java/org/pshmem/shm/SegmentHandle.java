package org.pshmem.shm;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.pshmem.api.PshmemException;

/**
 * What another rank of the node needs to map a segment: the file's name (removed already when {@link #naming()} is
 * {@link SegmentNaming#UNNAMED}, and kept in messages and {@code /proc/<pid>/maps}), and for an unnamed file the
 * creator's pid and descriptor, through which it is opened, and the file's device and inode, which the opened file
 * must have (a descriptor number or pid reused by something else is refused). Sent as one line of text:
 * {@code NAMING PID FD DEVICE INODE FILE}.
 *
 * @param naming how the file is reached.
 * @param file   the file's path in the segment directory.
 * @param pid    the creating process, or 0 for a named file.
 * @param fd     the creator's descriptor of the file, or -1 for a named file.
 * @param device the file's device number, or 0 when not known.
 * @param inode  the file's inode number, or 0 when not known.
 */
public record SegmentHandle(SegmentNaming naming, Path file, long pid, int fd, long device, long inode)
{
    /**
     * Returns the handle of a file reached by its name.
     *
     * @param file the file.
     * @return the handle of a file reached by its name.
     */
    public static SegmentHandle named(final Path file)
    {
        return new SegmentHandle(SegmentNaming.NAMED, file, 0, -1, 0, 0);
    }

    /**
     * Returns the path another rank opens: the creator's descriptor under {@code /proc}, or the name.
     *
     * @return the path another rank opens.
     */
    public Path openPath()
    {
        return naming == SegmentNaming.UNNAMED ?
            Path.of("/proc", Long.toString(pid), "fd", Integer.toString(fd)) : file;
    }

    /**
     * Returns this handle as sent to the other ranks of the node.
     *
     * @return this handle as sent to the other ranks of the node.
     */
    public byte[] bytes()
    {
        return (naming + " " + pid + " " + fd + " " + device + " " + inode + " " + file)
            .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads a handle made by {@link #bytes()}.
     *
     * @param bytes what node-rank 0 sent.
     * @return the handle.
     */
    public static SegmentHandle parse(final byte[] bytes)
    {
        final String text = new String(bytes, StandardCharsets.UTF_8);
        final String[] fields = text.split(" ", 6);
        try
        {
            return new SegmentHandle(SegmentNaming.valueOf(fields[0]), Path.of(fields[5]), Long.parseLong(fields[1]),
                Integer.parseInt(fields[2]), Long.parseLong(fields[3]), Long.parseLong(fields[4]));
        }
        catch (final RuntimeException ex)
        {
            throw new PshmemException("not a node memory handle of this pshmem version: \"" + text + "\"", ex);
        }
    }
}
