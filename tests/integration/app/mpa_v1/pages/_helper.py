raise RuntimeError("files starting with _ are not pages")
