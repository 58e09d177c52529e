// sandpc-img as a user runs it: exit codes and effects.
#include <gtest/gtest.h>

#include "devices/storage/image_open.h"
#include "tests/storage/temp_dir.h"

namespace sandpc {
namespace {

int img(const std::string& args) {
    return test::run_command(std::string(SANDPC_IMG_PATH) + " " + args);
}

TEST(ImageTool, HelpForEveryCommand) {
    EXPECT_EQ(img("--help"), 0);
    for (const char* c : {"create", "info", "check", "commit", "convert", "discard"})
        EXPECT_EQ(img(std::string(c) + " --help"), 0) << c;
    EXPECT_EQ(img(""), 2);
    EXPECT_EQ(img("frobnicate"), 2);
    EXPECT_EQ(img("create"), 2);
    EXPECT_EQ(img("create -x y z"), 2);
}

TEST(ImageTool, CreateInfoCheckCommitConvertDiscard) {
    test::TempDir dir;
    std::string base = dir.file("base.img"), ov = dir.file("ov.sovl");
    ASSERT_EQ(img("create -s 2M " + base), 0);
    EXPECT_EQ(open_image(base)->size(), 2u << 20);
    EXPECT_EQ(img("create -s 2M " + base), 2);  // exists
    ASSERT_EQ(img("create -b " + base + " -c 4K " + ov), 0);
    EXPECT_EQ(img("info " + ov), 0);
    EXPECT_EQ(img("check " + ov), 0);
    {
        ImageOpenOptions o;
        o.writable = true;
        auto b = open_image(ov, o);
        std::vector<uint8_t> s(512, 0x31);
        b->write(4096, s);
        b->flush();
    }
    EXPECT_EQ(img("commit " + ov + " --into " + dir.file("merged.img")), 0);
    EXPECT_EQ(test::read_file(dir.file("merged.img"))[4096], 0x31);
    EXPECT_EQ(test::read_file(base)[4096], 0);
    EXPECT_EQ(img("convert " + ov + " " + dir.file("conv.img")), 0);
    EXPECT_EQ(test::read_file(dir.file("conv.img")), test::read_file(dir.file("merged.img")));
    EXPECT_EQ(img("discard " + ov), 0);
    EXPECT_EQ(test::read_file(dir.file("conv.img")).size(), 2u << 20);
    std::vector<uint8_t> back(512);
    open_image(ov)->read(4096, back);
    EXPECT_EQ(back[0], 0);
    EXPECT_EQ(img("commit " + ov), 0);
    EXPECT_EQ(img("check " + ov), 0);
}

TEST(ImageTool, CheckExitCodes) {
    test::TempDir dir;
    std::string base = dir.file("base.img"), ov = dir.file("ov.sovl");
    ASSERT_EQ(img("create -s 1M " + base), 0);
    ASSERT_EQ(img("create -b " + base + " " + ov), 0);
    auto bytes = test::read_file(ov);
    bytes[30] ^= 1;
    test::write_file(ov, bytes);
    EXPECT_EQ(img("check " + ov), 1);
    EXPECT_EQ(img("check " + dir.file("missing.sovl")), 2);
    EXPECT_EQ(img("check " + base), 0);
    EXPECT_EQ(img("info " + dir.file("missing.sovl")), 2);
}

}  // namespace
}  // namespace sandpc
