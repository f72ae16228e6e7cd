package org.pshmem.shm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.pshmem.api.PshmemException;
import org.pshmem.spi.NodeMemory;
import org.pshmem.spi.NodeSegment;
import org.pshmem.spi.Setting;

/**
 * One rank's node memory as segment files ({@link ShmSegment}) in the segment directory ({@link Setting#SHM_DIR}):
 * what the MPJ Express and the native MPI transports both give their sessions. Holds nothing to close; each
 * segment is owned by whoever created or attached it.
 */
public final class ShmNodeMemory implements NodeMemory
{
    private final Path dir;
    private final String node;
    private Capacity capacity;

    private ShmNodeMemory(final Path dir, final String node)
    {
        this.dir = dir;
        this.node = node;
    }

    /**
     * Node memory in the directory the setting names, checked now so that a rank fails as it starts, not at its
     * first array.
     *
     * @param node the name of this rank's node, part of the name of the segments it creates.
     * @return the node memory of this rank.
     * @throws PshmemException when the directory is not a directory.
     */
    public static ShmNodeMemory inSettingsDirectory(final String node)
    {
        final Path dir = Path.of(Setting.SHM_DIR.value().orElseThrow());
        if (!Files.isDirectory(dir))
        {
            throw new PshmemException("segment directory " + dir + " (from " + Setting.SHM_DIR.sources() +
                " or the default) is not a directory");
        }
        return new ShmNodeMemory(dir, node);
    }

    /**
     * The machine's memory, or the size of the segment directory's file system when that is smaller (a tmpfs
     * such as {@code /dev/shm} usually is); read once.
     */
    @Override
    public Capacity capacity()
    {
        if (null == capacity)
        {
            capacity = readCapacity();
        }
        return capacity;
    }

    private Capacity readCapacity()
    {
        final Capacity machine = NodeMemory.machineMemory();
        try
        {
            final long total = Files.getFileStore(dir).getTotalSpace();
            return total < machine.bytes() ? new Capacity(total, "the size of the segment directory " + dir) :
                machine;
        }
        catch (final IOException ex)
        {
            return machine; // the segment's own reservation says what is wrong with the directory
        }
    }

    @Override
    public NodeSegment create(final long byteSize, final int controlBytes, final String label)
    {
        return ShmSegment.create(dir, node, byteSize, controlBytes);
    }

    @Override
    public NodeSegment attach(final byte[] handle, final long byteSize, final int controlBytes)
    {
        return ShmSegment.attach(handle, byteSize, controlBytes);
    }
}
